package main

import (
	"io"
	"os"
)

// isTerminal reports whether w is a terminal (a character device), where a progress line may
// be rewritten in place with \r; in a log or a pipe each update is a line of its own.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
