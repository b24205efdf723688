package main

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocListsEveryCommand: the package doc of main.go (what `go doc ./cmd/paycools` shows)
// lists exactly the commands of the dispatch table, in its order, each with the synopsis its
// -h prints and the one-line summary of the usage message, so that neither can drift.
func TestDocListsEveryCommand(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	require.NoError(t, err)
	require.NotNil(t, f.Doc, "main.go has no package doc comment")

	// In the doc each command is a code line "\tpaycools NAME SYNOPSIS", then its purpose
	// indented four more spaces.
	type entry struct{ name, synopsis, purpose string }
	var documented []entry
	lines := strings.Split(f.Doc.Text(), "\n")
	for i, l := range lines {
		rest, ok := strings.CutPrefix(l, "\tpaycools ")
		if !ok {
			continue
		}
		e := entry{}
		e.name, e.synopsis, _ = strings.Cut(rest, " ")
		if i+1 < len(lines) {
			if p, ok := strings.CutPrefix(lines[i+1], "\t    "); ok {
				e.purpose = p
			}
		}
		documented = append(documented, e)
	}

	var dispatched []entry
	for _, c := range commands {
		status, out, _ := runCLI(t, c.name, "-h")
		require.Equal(t, exitOK, status, c.name)
		first, _, _ := strings.Cut(out, "\n")
		synopsis, ok := strings.CutPrefix(first, "Usage: paycools "+c.name)
		require.True(t, ok, "%s -h begins %q", c.name, first)
		dispatched = append(dispatched, entry{c.name, strings.TrimSpace(synopsis), c.summary})
	}
	assert.Equal(t, dispatched, documented, "main.go's package doc and the commands table differ")
}
