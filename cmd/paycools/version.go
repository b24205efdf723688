package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	paycools "github.com/paycools-sdk/paycools-go"
)

// runVersion implements "paycools version" (also "paycools -version"): the version of
// paycools-go the binary was built with, as `go version -m` shows it, then the source's
// Version and the Go release, on one line.
func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("version", "", `
Print the version of paycools-go this binary was built with (paycools.ModuleVersion: what
"go version -m" shows, e.g. 0.2.0 after "go install ...@v0.2.0", a pseudo-version for a
commit), the source's paycools.Version, and the Go release that built it. Quote this line
when you report a problem.`, stderr)
	if done, status := parseFlags(fset, args, stdout); done {
		return status
	}
	fmt.Fprintf(stdout, "paycools %s (paycools-go Version %s, %s)\n", paycools.ModuleVersion(), paycools.Version, runtime.Version())
	return exitOK
}
