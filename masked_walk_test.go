package paycools

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maskedSamples is one value of every exported type of the package that holds a field tagged
// log:"mask" (an account number, a mobile number, a pay token), directly or in a field, a
// list element or a Raw copy of the wire data. TestMaskedTypesPrintNoMaskedValue checks first
// that it is complete.
var maskedSamples = []any{
	BankTransferAccount{},
	BankTransferAccounts{},
	BankTransferBatchCreateParams{},
	BankTransferPaymentNotification{},
	CheckoutAddress{},
	CheckoutCreateParams{},
	DirectDebitAuthorizationCancelParams{},
	DirectDebitAuthorizationCancelResult{},
	DirectDebitAuthorizationGetParams{},
	DirectDebitAuthorizationWaitParams{},
	DirectDebitAuthorizationNotification{},
	DirectDebitAuthorizations{},
	DirectDebitPaymentCreateParams{},
	DirectDebitPayment{},
	DirectDebitToken{},
	PaymentRecord{},
	PaymentStatement{},
	PayoutCreateParams{},
	QRCodeCreateParams{},
	RepaymentVerification{},
	SyncCollection{},
	SyncReport{},
	VirtualAccountBatchCreateParams{},
	VirtualAccountCreateParams{},
	WebPayment{},
	WebPaymentCreateParams{},
}

// typesHoldingMasked parses the package's source and returns the exported struct types that
// hold a field tagged log:"mask", directly or through a field whose type (after pointers,
// slices, arrays and maps) is such a type.
func typesHoldingMasked(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	structs := map[string]*ast.StructType{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok {
				if st, ok := ts.Type.(*ast.StructType); ok {
					structs[ts.Name.Name] = st
				}
			}
			return true
		})
	}
	elemName := func(e ast.Expr) string {
		for {
			switch x := e.(type) {
			case *ast.StarExpr:
				e = x.X
			case *ast.ArrayType:
				e = x.Elt
			case *ast.MapType:
				e = x.Value
			case *ast.Ident:
				return x.Name
			default:
				return ""
			}
		}
	}
	holds := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name, st := range structs {
			if holds[name] {
				continue
			}
			for _, fl := range st.Fields.List {
				tag := ""
				if fl.Tag != nil {
					tag, _ = strconv.Unquote(fl.Tag.Value)
				}
				if reflect.StructTag(tag).Get("log") == "mask" || holds[elemName(fl.Type)] {
					holds[name], changed = true, true
					break
				}
			}
		}
	}
	var out []string
	for name := range holds {
		if ast.IsExported(name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// maskedSecret is the value the walk puts in every masked field, Raw and Extra: a mobile
// number as PayCools sends it. Only its last four characters may ever be printed.
const maskedSecret = "09171234567"

// fillMasked sets every field tagged log:"mask" of v (a settable struct value, recursively
// through pointers, structs and lists, which get one element) to maskedSecret, every Raw to
// wire JSON that holds it and every Extra to a map that holds it, and returns how many
// masked fields it set.
func fillMasked(v reflect.Value, depth int) int {
	if depth > 6 {
		return 0
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type().Elem().Kind() != reflect.Struct {
			return 0
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return fillMasked(v.Elem(), depth+1)
	case reflect.Slice:
		if v.Type() == rawMessageType {
			v.SetBytes([]byte(`{"mobile":"` + maskedSecret + `","accountNo":"` + maskedSecret + `"}`))
			return 0
		}
		if k := v.Type().Elem().Kind(); k != reflect.Struct && k != reflect.Pointer {
			return 0
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		return fillMasked(v.Index(0), depth+1)
	case reflect.Struct:
		n := 0
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf, fv := t.Field(i), v.Field(i)
			switch {
			case !sf.IsExported() || !fv.CanSet():
			case sf.Tag.Get("log") == "mask" && fv.Kind() == reflect.String:
				fv.SetString(maskedSecret)
				n++
			case sf.Name == "Extra" && fv.Type() == reflect.TypeOf(map[string]any(nil)):
				fv.Set(reflect.ValueOf(map[string]any{"payerMobile": maskedSecret}))
			default:
				n += fillMasked(fv, depth+1)
			}
		}
		return n
	}
	return 0
}

// Every type that holds a masked field prints it masked, in every fmt verb and in slog's text
// and JSON handlers, as a value and as a pointer (and, for fmt, nested in another value): a pay
// token, a mobile number or an account number never appears whole, nor in hex, nor through
// Raw or Extra.
func TestMaskedTypesPrintNoMaskedValue(t *testing.T) {
	want := typesHoldingMasked(t)
	var listed []string
	for _, v := range maskedSamples {
		listed = append(listed, reflect.TypeOf(v).Name())
	}
	sort.Strings(listed)
	require.Equal(t, want, listed, "maskedSamples must list every type that holds a log:\"mask\" field")

	hexSecret := fmt.Sprintf("%x", maskedSecret)
	for _, sample := range maskedSamples {
		typ := reflect.TypeOf(sample)
		t.Run(typ.Name(), func(t *testing.T) {
			pv := reflect.New(typ)
			require.Positive(t, fillMasked(pv.Elem(), 0), "no masked field was filled")
			var outputs []string
			for _, v := range []any{pv.Elem().Interface(), pv.Interface()} {
				outputs = append(outputs, printedEveryWay(v)...)
			}
			// Nested in another value, fmt still reaches the type's Format (slog does not call
			// LogValue below the top level: log the value itself, not a struct around it).
			type nested struct{ V any }
			for _, v := range []any{nested{pv.Elem().Interface()}, []any{pv.Interface()}, map[string]any{"v": pv.Elem().Interface()}} {
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
					outputs = append(outputs, fmt.Sprintf(verb, v))
				}
			}
			for _, s := range outputs {
				assert.NotContains(t, s, maskedSecret)
				assert.NotContains(t, strings.ToLower(s), hexSecret)
			}
			assert.Contains(t, fmt.Sprint(pv.Interface()), "*******4567", "the masked form shows the last four characters")
		})
	}
}
