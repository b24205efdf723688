package paycools

import (
	"encoding/csv"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readTSV reads one of the route tables of docs/ as rows of named columns.
func readTSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	require.NoError(t, err)
	var out []map[string]string
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		out = append(out, m)
	}
	return out
}

// TestRouteTablesMatchTheTSV checks each dialect's route table against its tsv in docs/,
// row by row: method, path, body form and the exact request fields with their required marks.
// A correction made on one side only fails here.
func TestRouteTablesMatchTheTSV(t *testing.T) {
	for _, tc := range []struct {
		d    Dialect
		file string
	}{{DialectOpenAPI, "docs/endpoints.tsv"}, {DialectPH, "docs/endpoints-ph.tsv"}} {
		t.Run(tc.d.String(), func(t *testing.T) {
			rows := readTSV(t, tc.file)
			table := specOf(tc.d).routes
			assert.Len(t, rows, len(table), "one row per operation")
			for _, row := range rows {
				op := Operation(row["service"] + "." + row["method_name"])
				ep, ok := table[op]
				if !assert.True(t, ok, "%s: no row in the %s table", op, tc.d) {
					continue
				}
				assert.Equal(t, row["http_method"], ep.method, "%s method", op)
				assert.Equal(t, row["path"], ep.path, "%s path", op)
				form := row["form"]
				if form == "" {
					form = "envelope"
				}
				assert.Equal(t, form, ep.form.String(), "%s form", op)
				var got []string
				for _, f := range ep.fields {
					n := f.name
					if f.required {
						n += "*"
					}
					got = append(got, n)
				}
				assert.Equal(t, row["request_json_fields"], strings.Join(got, ","), "%s fields", op)
			}
		})
	}
}

// TestPHFieldsComeFromTheParams checks that every name a PH row sends is a JSON name of the
// operation's params, a rename target of one, or one the SDK fills (appName, timestamp).
func TestPHFieldsComeFromTheParams(t *testing.T) {
	c, err := NewClient(testAppID, testMerchantKey(t))
	require.NoError(t, err)
	cv := reflect.ValueOf(c).Elem()
	for op, ep := range phRoutes {
		service, method, _ := strings.Cut(string(op), ".")
		pt := cv.FieldByName(service).MethodByName(method).Type().In(1).Elem()
		names := map[string]bool{"appName": true, "timestamp": true}
		for _, n := range paramJSONNames(pt) {
			names[n] = true
		}
		for _, r := range ep.renames {
			assert.True(t, names[r.from], "%s: rename of %s, which the params lack", op, r.from)
			names[r.to] = true
		}
		for _, f := range ep.fields {
			assert.True(t, names[f.name], "%s sends %s, which no params field fills", op, f.name)
		}
	}
}

// TestEveryOperationOfTheSpec reads docs/endpoints.tsv (the open-api list of operations) and
// checks, for every line, that the client has the service and method with the spec's
// names, params and result types, that the operation table has the spec's method and path,
// and that the params type carries exactly the spec's JSON names. A path, method, type or
// field renamed on either side fails here.
func TestEveryOperationOfTheSpec(t *testing.T) {
	rows := readTSV(t, "docs/endpoints.tsv")
	c, err := NewClient(testAppID, testMerchantKey(t))
	require.NoError(t, err)
	cv := reflect.ValueOf(c).Elem()
	ops := Operations()
	seen := map[Operation]bool{}
	for _, row := range rows {
		col := func(name string) string { return row[name] }
		service, method := col("service"), col("method_name")
		op := Operation(service + "." + method)
		t.Run(string(op), func(t *testing.T) {
			seen[op] = true
			ep, ok := ops[op]
			require.True(t, ok, "operation %s missing from endpoints.go", op)
			assert.Equal(t, col("http_method"), ep.Method, "method")
			assert.Equal(t, col("path"), ep.Path, "path")

			svc := cv.FieldByName(service)
			require.True(t, svc.IsValid(), "Client has no field %s", service)
			m := svc.MethodByName(method)
			require.True(t, m.IsValid(), "%s has no method %s", service, method)
			mt := m.Type()
			require.GreaterOrEqual(t, mt.NumIn(), 2)
			assert.Equal(t, "Context", mt.In(0).Name())
			// The Go type names come from the code (README "Conventions"), not from the tsv's
			// params_type/result_type columns: only routes, methods and JSON names are compared.
			pt := mt.In(1).Elem()
			assert.True(t, strings.HasSuffix(pt.Name(), "Params"), "params type %s", pt.Name())
			require.Equal(t, 2, mt.NumOut())
			assert.Equal(t, "error", mt.Out(1).Name())

			var want []string
			for _, f := range strings.Split(col("request_json_fields"), ",") {
				want = append(want, strings.TrimSuffix(f, "*"))
			}
			assert.Equal(t, sortedNames(want...), sortedNames(paramJSONNames(pt)...), "JSON names in param")

			_, hasExtra := pt.FieldByName("Extra")
			assert.True(t, hasExtra, "params have Extra")
			raw, hasRaw := mt.Out(0).Elem().FieldByName("Raw")
			assert.True(t, hasRaw && raw.Type == rawMessageType, "result keeps Raw")
		})
	}
	assert.Len(t, seen, len(rows), "one operation per line of the spec")
	assert.Len(t, ops, len(seen), "endpoints.go has no operation the spec does not list")
}

func paramJSONNames(t reflect.Type) []string {
	var names []string
	for _, f := range reflect.VisibleFields(t) {
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			continue // RequestFields: its fields are listed as the params' own
		}
		if n := jsonName(f); n != "-" && f.IsExported() {
			names = append(names, n)
		}
	}
	return names
}
