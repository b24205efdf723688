// Command paycools is the command-line companion of the paycools-go SDK: it makes merchant
// keys, signs and verifies PayCools envelopes and callbacks, explains why a signature does not
// verify, serves a fake PayCools gateway for integration tests in any language, finds out which
// dialect a PayCools host speaks, reconciles a day of PayCools' statements with your books, and
// pays out a disbursement file exactly once, and lists, shows and replays the callbacks of the
// event inbox.
//
// Commands, each with its synopsis and purpose:
//
//	paycools keygen [-bits 2048|4096] [-out FILE] [-pub FILE] [-force]
//	    make a merchant RSA key pair; print the public key for the PayCools dashboard
//	paycools sign -key FILE (-param STRING | -param-file FILE) [-app-id ID]
//	    sign the exact bytes of a param (and optionally print the whole envelope)
//	paycools verify -key PUBFILE (-body FILE | (-param STRING | -param-file FILE) -sign SIGN)
//	    verify a request or callback signature; print OK or the reason
//	paycools doctor -key FILE [-other-key FILE] (-body FILE | (-param STRING | -param-file FILE) -sign SIGN) [-app-id ID]
//	    explain precisely why a signature does not verify
//	paycools sandbox [-addr 127.0.0.1:PORT] [-dialect open-api|ph] [-json]
//	    serve a fake PayCools gateway for integration tests
//	paycools version
//	    print the paycools-go version this binary was built with
//	paycools probe -base-url URL -app-id ID -key FILE [-platform-key FILE] [-timeout 10s]
//	    find the dialect and envelope signing a PayCools host accepts (read-only calls)
//	paycools reconcile -day YYYY-MM-DD (-csv FILE | -postgres DSN | -sqlite FILE) -base-url URL -app-id ID -key FILE [-format table|csv|json]
//	    match one day of PayCools' statements against your books (CSV or the ledger)
//	paycools payouts -csv FILE (-sqlite LEDGER | -postgres DSN) -base-url URL -app-id ID -key FILE [-concurrency N] [-rate PER_SECOND] [-dry-run] [-report FILE]
//	    pay out every row of a CSV file exactly once, resumably (through the ledger)
//	paycools events (-postgres DSN | -sqlite FILE) [-table NAME] [-app-id ID] (list [-failed] [-since D] | show KEY | replay KEY -url URL)
//	    list, show and replay the callbacks of the event inbox (paycoolssql.WithInbox)
//
// Run "paycools COMMAND -h" (or "paycools help COMMAND") for the flags of one command, and
// "paycools -version" is "paycools version". Flags may be written -flag or --flag. A FILE
// argument of "-" reads standard input.
//
// Exit status: 0 on success (for verify and doctor: the signature verifies as given), 1 when
// the command ran but the answer is no (a signature that does not verify) or failed, 2 on a
// usage error.
package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	paycools "github.com/paycools-sdk/paycools-go"
)

// Exit statuses of run.
const (
	exitOK    = 0 // done; the signature verifies
	exitFail  = 1 // the signature does not verify, or the command failed
	exitUsage = 2 // bad command line
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one paycools command line (without the program name) and returns the exit
// status. Everything it prints goes to stdout and stderr, so every command is testable
// in-process.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order the usage message shows them.
var commands = []command{
	{"keygen", "make a merchant RSA key pair; print the public key for the PayCools dashboard", runKeygen},
	{"sign", "sign the exact bytes of a param (and optionally print the whole envelope)", runSign},
	{"verify", "verify a request or callback signature; print OK or the reason", runVerify},
	{"doctor", "explain precisely why a signature does not verify", runDoctor},
	{"sandbox", "serve a fake PayCools gateway for integration tests", runSandbox},
	{"version", "print the paycools-go version this binary was built with", runVersion},
	{"probe", "find the dialect and envelope signing a PayCools host accepts (read-only calls)", runProbe},
	{"reconcile", "match one day of PayCools' statements against your books (CSV or the ledger)", runReconcile},
	{"payouts", "pay out every row of a CSV file exactly once, resumably (through the ledger)", runPayouts},
	{"events", "list, show and replay the callbacks of the event inbox (paycoolssql.WithInbox)", runEvents},
}

// runContext is run with a context; the sandbox stops when ctx ends (tests cancel it).
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if name == "help" && len(args) > 1 {
			return runContext(ctx, []string{args[1], "-h"}, stdout, stderr)
		}
		usage(stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "paycools: unknown command %q\n\n", name)
	usage(stderr)
	return exitUsage
}

// usage prints the top-level usage message.
func usage(w io.Writer) {
	fmt.Fprint(w, `paycools: tools for the PayCools payment gateway (paycools-go SDK)

Usage:
  paycools COMMAND [flags]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "paycools COMMAND -h" for the flags of a command (-flag and --flag both work).
A FILE of "-" reads standard input.
Exit status: 0 success (signature verifies), 1 failure (signature does not verify), 2 usage error.
`)
}

// newFlagSet returns a flag set for one subcommand whose usage shows synopsis, description and
// flags, and whose errors go to stderr (parseFlags sends -h to stdout).
func newFlagSet(name, synopsis, description string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("paycools "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: %s\n\n%s\n\nFlags:\n", strings.TrimSpace("paycools "+name+" "+synopsis), strings.TrimSpace(description))
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs. It returns done=true with the exit status when the command
// must stop: -h (usage on stdout, status 0), a bad flag (the error and usage on stderr,
// status 2), or stray arguments.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (done bool, status int) {
	stderr := fs.Output()
	var buf bytes.Buffer // the flag package prints usage itself; send it where it belongs
	fs.SetOutput(&buf)
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, _ = stdout.Write(buf.Bytes())
			return true, exitOK
		}
		_, _ = stderr.Write(buf.Bytes())
		return true, exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (flags go before it, e.g. -key FILE)\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return true, exitUsage
	}
	return false, exitOK
}

// usageError prints a usage problem of one subcommand and returns exitUsage.
func usageError(fs *flag.FlagSet, format string, a ...any) int {
	fmt.Fprintf(fs.Output(), "%s: %s\n", fs.Name(), fmt.Sprintf(format, a...))
	fmt.Fprintf(fs.Output(), "Run \"%s -h\" for usage.\n", fs.Name())
	return exitUsage
}

// errText is an error's text for a line that already says "paycools <command>:": the SDK's own
// "paycools: " prefix is dropped, so that the line does not say it twice.
func errText(err error) string { return strings.TrimPrefix(err.Error(), "paycools: ") }

// readFile reads a file named on the command line; "-" is standard input.
func readFile(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(name)
}

// paramFlags checks the mutually exclusive -param and -param-file flags of fset. It returns
// whether either was given, and a usage message when both were.
func paramFlags(fset *flag.FlagSet, paramFile string) (given bool, problem string) {
	paramSet := flagWasSet(fset, "param")
	if paramSet && paramFile != "" {
		return true, "give -param or -param-file, not both"
	}
	return paramSet || paramFile != "", ""
}

// readParam returns the exact param bytes: the -param string, or the content of -param-file
// when that is given.
func readParam(param, paramFile string) ([]byte, error) {
	if paramFile != "" {
		return readFile(paramFile)
	}
	return []byte(param), nil
}

// flagWasSet reports whether the flag name was given on the command line (an empty -param is
// still a param).
func flagWasSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// credentials are the -base-url, -app-id and -key flags of the commands that call PayCools,
// defaulting to PAYCOOLS_BASE_URL, PAYCOOLS_APP_ID and PAYCOOLS_PRIVATE_KEY_FILE (or the key
// itself in PAYCOOLS_PRIVATE_KEY).
type credentials struct {
	baseURL, appID, keyFile *string
}

func credentialFlags(fset *flag.FlagSet, hostHelp string) credentials {
	return credentials{
		baseURL: fset.String("base-url", os.Getenv("PAYCOOLS_BASE_URL"), hostHelp),
		appID:   fset.String("app-id", os.Getenv("PAYCOOLS_APP_ID"), "the merchant appId"),
		keyFile: fset.String("key", os.Getenv("PAYCOOLS_PRIVATE_KEY_FILE"), "the merchant private key file (PEM or bare base64)"),
	}
}

// key reads and parses the merchant key; on a problem it prints it and returns exitUsage.
func (cr credentials) key(fset *flag.FlagSet) (*rsa.PrivateKey, int) {
	var keyBytes []byte
	switch {
	case *cr.keyFile != "":
		b, err := readFile(*cr.keyFile)
		if err != nil {
			return nil, usageError(fset, "-key: %s", errText(err))
		}
		keyBytes = b
	case os.Getenv("PAYCOOLS_PRIVATE_KEY") != "":
		keyBytes = []byte(os.Getenv("PAYCOOLS_PRIVATE_KEY"))
	}
	if *cr.baseURL == "" || *cr.appID == "" || keyBytes == nil {
		return nil, usageError(fset, "need -base-url, -app-id and -key (or their PAYCOOLS_* variables)")
	}
	key, err := paycools.ParsePrivateKey(keyBytes)
	if err != nil {
		return nil, usageError(fset, "-key: %s", errText(err))
	}
	return key, exitOK
}
