package paycools

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNotificationEventDocListsEveryEvent reads the doc comment of Notification.Event and the
// package's Event* constants from the source, and checks that every registered event name
// appears, by its constant, on the line of the type it decodes into, and that every prefix
// registration is mentioned: a new event cannot be added without documenting it.
func TestNotificationEventDocListsEveryEvent(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	constOf := map[string]string{} // event name -> constant
	var doc string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		require.NoError(t, err)
		ast.Inspect(af, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if i < len(n.Values) && strings.HasPrefix(name.Name, "Event") {
						if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							v, err := strconv.Unquote(lit.Value)
							require.NoError(t, err)
							constOf[v] = name.Name
						}
					}
				}
			case *ast.TypeSpec:
				if st, ok := n.Type.(*ast.StructType); ok && n.Name.Name == "Notification" {
					for _, fld := range st.Fields.List {
						if len(fld.Names) == 1 && fld.Names[0].Name == "Event" {
							doc = fld.Doc.Text()
						}
					}
				}
			}
			return true
		})
	}
	require.NotEmpty(t, doc, "Notification.Event has a doc comment")
	// Join the doc's list items into one line each ("- *Type: names" with continuation lines).
	items := map[string]string{}
	var cur string
	for _, line := range strings.Split(doc, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "- *") {
			typ, rest, _ := strings.Cut(strings.TrimPrefix(line, "- *"), ":")
			cur = typ
			items[cur] = rest
		} else if cur != "" && line != "" {
			items[cur] += " " + line
		} else {
			cur = ""
		}
	}
	require.NotEmpty(t, eventRegistry)
	for name, mk := range eventRegistry {
		typ := reflect.TypeOf(mk()).Elem().Name()
		if !ast.IsExported(typ) {
			continue // registered by a test
		}
		c, ok := constOf[name]
		if !assert.True(t, ok, "event %q has an exported Event* constant", name) {
			continue
		}
		assert.Contains(t, items[typ], c, "Notification.Event's doc lists %s (%q) under *%s", c, name, typ)
	}
	for prefix, mk := range eventPrefixes {
		typ := reflect.TypeOf(mk()).Elem().Name()
		if !ast.IsExported(typ) {
			continue // registered by a test
		}
		assert.Contains(t, items[typ], strconv.Quote(prefix), "Notification.Event's doc names the prefix %q under *%s", prefix, typ)
	}
}
