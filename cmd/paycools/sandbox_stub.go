//go:build !sandbox

package main

import (
	"context"
	"fmt"
	"io"
)

// runSandbox stands in for the sandbox command until package paycoolstest is merged.
func runSandbox(_ context.Context, _ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "paycools sandbox: this build has no fake gateway (package paycoolstest is not merged yet)")
	return exitFail
}
