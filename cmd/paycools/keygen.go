package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	paycools "github.com/paycools-sdk/paycools-go"
)

// runKeygen implements "paycools keygen": a new merchant key pair, the private half written
// as PKCS#8 PEM with mode 0600, the public half printed as the bare base64 line the PayCools
// dashboard wants.
func runKeygen(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("keygen", "[-bits 2048|4096] [-out FILE] [-pub FILE] [-force]", `
Make a new merchant RSA key pair. The private key is written as PKCS#8 PEM ("PRIVATE KEY")
with file mode 0600; keep it secret and load it with paycools.ParsePrivateKey. The public key
is printed on stdout as one line of bare base64 (DER SubjectPublicKeyInfo, no armor): paste
that line into the PayCools merchant dashboard. Existing files are never overwritten unless
-force is given.`, stderr)
	bits := fset.Int("bits", 2048, "key size in bits: 2048 or 4096 (PayCools accepts both)")
	out := fset.String("out", "merchant_private.pem", "where to write the private key (PKCS#8 PEM, mode 0600)")
	pub := fset.String("pub", "", "also write the public key as PKIX PEM (\"PUBLIC KEY\") to this file")
	force := fset.Bool("force", false, "overwrite -out and -pub if they exist")
	if done, status := parseFlags(fset, args, stdout); done {
		return status
	}
	if err := paycools.CheckKeyBits(*bits); err != nil {
		return usageError(fset, "-bits %d: %s", *bits, strings.TrimPrefix(err.Error(), "paycools: "))
	}
	if *out == "" || *out == "-" {
		return usageError(fset, "-out needs a file name (the private key is never printed)")
	}
	if *pub != "" && filepath.Clean(*pub) == filepath.Clean(*out) {
		return usageError(fset, "-pub and -out name the same file")
	}
	if !*force {
		for _, name := range []string{*out, *pub} {
			if name == "" {
				continue
			}
			if _, err := os.Lstat(name); err == nil {
				fmt.Fprintf(stderr, "paycools keygen: %s already exists; not overwriting it (use -force to replace it)\n", name)
				return exitFail
			}
		}
	}
	kp, err := paycools.GenerateKeyPair(*bits)
	if err != nil {
		fmt.Fprintf(stderr, "paycools keygen: %s\n", errText(err))
		return exitFail
	}
	if err := writeKeyFile(*out, kp.PrivateKeyPEM, 0o600, *force); err != nil {
		fmt.Fprintf(stderr, "paycools keygen: %s\n", errText(err))
		return exitFail
	}
	fmt.Fprintf(stderr, "Wrote the merchant private key (%d-bit RSA, PKCS#8 PEM, mode 0600) to %s. Keep it secret.\n", *bits, *out)
	if *pub != "" {
		if err := writeKeyFile(*pub, kp.PublicKeyPEM, 0o644, *force); err != nil {
			fmt.Fprintf(stderr, "paycools keygen: %s\n", errText(err))
			return exitFail
		}
		fmt.Fprintf(stderr, "Wrote the public key (PKIX PEM) to %s.\n", *pub)
	}
	fmt.Fprintln(stderr, "Paste this public key into the PayCools merchant dashboard:")
	fmt.Fprintln(stdout, kp.PublicKeyBase64)
	return exitOK
}

// writeKeyFile writes data to name with the given mode. Without force it refuses an existing
// file (O_EXCL, so a file created meanwhile is not clobbered either). With force it writes a
// temporary file in the same directory and renames it over name, so the result has exactly
// mode perm whatever the old file's mode was, and a crash never leaves half a key.
func writeKeyFile(name string, data []byte, perm fs.FileMode, force bool) error {
	if !force {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("%s already exists; not overwriting it (use -force to replace it)", name)
			}
			return err
		}
		if err := f.Chmod(perm); err != nil { // exact mode, whatever the umask
			f.Close()
			os.Remove(name)
			return err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			os.Remove(name)
			return err
		}
		if err := f.Close(); err != nil {
			os.Remove(name)
			return err
		}
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".paycools-keygen-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
