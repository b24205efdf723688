package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUsage(t *testing.T) {
	status, out, _ := runCLI(t, "-h")
	assert.Equal(t, exitOK, status)
	for _, c := range commands {
		assert.Contains(t, out, c.name)
	}

	status, _, errOut := runCLI(t)
	assert.Equal(t, exitUsage, status)
	assert.Contains(t, errOut, "Commands:")

	status, _, errOut = runCLI(t, "frobnicate")
	assert.Equal(t, exitUsage, status)
	assert.Contains(t, errOut, `unknown command "frobnicate"`)
}

func TestSubcommandHelp(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			status, out, errOut := runCLI(t, c.name, "-h")
			assert.Equal(t, exitOK, status)
			assert.Empty(t, errOut, "-h prints its usage once, on stdout")
			assert.Contains(t, out, "Usage: paycools "+c.name)
			assert.Contains(t, out, "Flags:")

			status, out2, _ := runCLI(t, "help", c.name)
			assert.Equal(t, exitOK, status)
			assert.Equal(t, out, out2)
		})
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"keygen", "-bits", "1024"},
		{"keygen", "-nope"},
		{"keygen", "stray"},
		{"sign", "-param", "{}"},  // no -key
		{"sign", "-key", "k.pem"}, // no param
		{"sign", "-key", "k.pem", "-param", "{}", "-param-file", "p.json"}, // both
		{"verify", "-key", "k.pem"},                                        // no input
		{"verify", "-key", "k.pem", "-param", "{}"},                        // no -sign
		{"verify", "-key", "k.pem", "-body", "b.json", "-sign", "x"},       // both forms
		{"doctor", "-body", "b.json"},                                      // no -key
		{"doctor", "-key", "k.pem", "-param-file", "p.json"},               // no -sign
	} {
		status, out, errOut := runCLI(t, args...)
		assert.Equal(t, exitUsage, status, "%v: %s", args, errOut)
		assert.NotEmpty(t, errOut, "%v", args)
		assert.Empty(t, out, "%v", args)
	}
}

func TestWrap(t *testing.T) {
	assert.Equal(t, []string{"aaa bbb", "ccc"}, wrap("aaa bbb ccc", 7))
	assert.Equal(t, []string{"a", "0123456789", "b"}, wrap("a 0123456789 b", 5))
	assert.Nil(t, wrap("  ", 5))
}
