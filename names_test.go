package paycools

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shortPrefixes are the enum types whose constants keep a short prefix instead of the type's
// name (README, Conventions).
var shortPrefixes = map[string]string{
	"Operation":       "Op",
	"CountryCode":     "Country",
	"PayMethodCode":   "PayMethod",
	"IntentState":     "Intent",
	"EnvelopeSigning": "EnvelopeSigns",
	"BodyForm":        "Form", // the names issue 22 gave Route.Form
}

// TestEnumConstantsAreTypeThenValue reads every exported typed constant of the package from
// the source and checks that its name starts with its type's name (<Type><Value>:
// TransactionStatusCompleted, BillsPaymentChannelCodeGCashStaticVA), so that a constant added
// later cannot reintroduce a second pattern.
func TestEnumConstantsAreTypeThenValue(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		require.NoError(t, err)
		for _, d := range af.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			typ := "" // a spec without type or value repeats the previous one's (iota)
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				switch {
				case vs.Type != nil:
					id, ok := vs.Type.(*ast.Ident)
					typ = ""
					if ok && ast.IsExported(id.Name) {
						typ = id.Name
					}
				case len(vs.Values) > 0:
					typ = ""
				}
				if typ == "" {
					continue
				}
				prefix := typ
				if p, ok := shortPrefixes[typ]; ok {
					prefix = p
				}
				for _, n := range vs.Names {
					if !n.IsExported() {
						continue
					}
					checked++
					assert.True(t, strings.HasPrefix(n.Name, prefix) && len(n.Name) > len(prefix),
						"%s: constant %s of type %s is not named %s<Value>", fset.Position(n.Pos()), n.Name, typ, prefix)
				}
			}
		}
	}
	assert.Greater(t, checked, 50, "the source was read")
}

// TestListResultsAreResourceList checks that every result whose data is a list (a field
// tagged wire:"data") is named <Element>List, after the type of its elements.
func TestListResultsAreResourceList(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		require.NoError(t, err)
		ast.Inspect(af, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			for _, fld := range st.Fields.List {
				if fld.Tag == nil || !strings.Contains(fld.Tag.Value, `wire:"data"`) {
					continue
				}
				arr, ok := fld.Type.(*ast.ArrayType)
				require.True(t, ok, "%s: the wire:\"data\" field of %s is a slice", fset.Position(fld.Pos()), ts.Name.Name)
				elem, ok := arr.Elt.(*ast.Ident)
				require.True(t, ok)
				checked++
				assert.Equal(t, elem.Name+"List", ts.Name.Name, "%s: a list of %s is named %sList", fset.Position(ts.Pos()), elem.Name, elem.Name)
			}
			return true
		})
	}
	assert.GreaterOrEqual(t, checked, 6, "the source was read")
}
