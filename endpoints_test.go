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

// TestEveryOperationOfTheSpec reads endpoints.tsv (a copy of the spec's list of operations)
// and checks, for every line, that the client has the service and method with the spec's
// names, params and result types, that the operation table has the spec's method and path,
// and that the params type carries exactly the spec's JSON names. A path, method, type or
// field renamed on either side fails here.
func TestEveryOperationOfTheSpec(t *testing.T) {
	f, err := os.Open("testdata/spec/endpoints.tsv")
	require.NoError(t, err)
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	require.NoError(t, err)
	head := map[string]int{}
	for i, h := range rows[0] {
		head[h] = i
	}
	c, err := NewClient(testAppID, testMerchantKey(t))
	require.NoError(t, err)
	cv := reflect.ValueOf(c).Elem()
	ops := Operations()
	seen := map[Operation]bool{}
	for _, row := range rows[1:] {
		col := func(name string) string { return row[head[name]] }
		service, method := col("service"), col("method_name")
		op := Operation(service + "." + method)
		t.Run(string(op), func(t *testing.T) {
			seen[op] = true
			ep, ok := ops[op]
			require.True(t, ok, "operation %s missing from endpoints.go", op)
			assert.Equal(t, col("http_method"), ep[0], "method")
			assert.Equal(t, col("path"), ep[1], "path")

			svc := cv.FieldByName(service)
			require.True(t, svc.IsValid(), "Client has no field %s", service)
			m := svc.MethodByName(method)
			require.True(t, m.IsValid(), "%s has no method %s", service, method)
			mt := m.Type()
			require.GreaterOrEqual(t, mt.NumIn(), 2)
			assert.Equal(t, "Context", mt.In(0).Name())
			pt := mt.In(1).Elem()
			assert.Equal(t, col("params_type"), pt.Name(), "params type")
			require.Equal(t, 2, mt.NumOut())
			assert.Equal(t, col("result_type"), mt.Out(0).Elem().Name(), "result type")
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
	assert.Len(t, seen, 35, "the spec lists 35 operations")
	assert.Len(t, ops, len(seen), "endpoints.go has no operation the spec does not list")
}

func paramJSONNames(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		n := jsonName(t.Field(i))
		if n != "-" && t.Field(i).IsExported() {
			names = append(names, n)
		}
	}
	return names
}
