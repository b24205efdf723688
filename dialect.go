package paycools

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Dialect is the wire dialect a client speaks. PayCools runs two API generations behind one
// set of products: the open-api one (every request an {"appId","param","sign"} envelope, success
// code 10000) and the Philippine host's (flat k=v-signed bodies on /api/v1 and the other PH
// paths, the envelope on /api/v2/checkout, success 1000, SHA-1 secret-signed callbacks).
// Services, methods, params and results are the same in both: only the bytes on the wire
// differ. See docs/dialects.md in the repository.
type Dialect int

const (
	// DialectOpenAPI is the open-api dialect of the /open-api hosts (BaseURLTest,
	// BaseURLProduction): every request is the envelope, signed over param.
	DialectOpenAPI Dialect = iota + 1
	// DialectPH is the dialect of the Philippine host (BaseURLPhilippinesUAT, and the
	// production host PayCools gives you): flat bodies signed over the sorted k=v string,
	// envelopes only on /api/v2/checkout.
	DialectPH
)

// dialectSpec is everything a dialect is, in one value (the values are in endpoints.go): a
// client holds a pointer to its dialect's.
type dialectSpec struct {
	dialect Dialect
	// name is what String returns and ParseDialect reads; aliases are other names it reads.
	name    string
	aliases []string
	// goName is the Go name of the Dialect constant, for GoString and error hints.
	goName string
	// routes is the dialect's route table, quirks and money facts in its rows.
	routes map[Operation]endpoint
	// usualForm is the body form of the dialect's paths, except those under a prefix of
	// formExceptions (for Client.Call routes without a Form).
	usualForm      BodyForm
	formExceptions []pathForm
	// envelopeSigning is what envelope operations sign without WithEnvelopeSigning.
	envelopeSigning EnvelopeSigning
	// callbackForms are the callback forms the dialect accepts (docs/dialects.md §10.1).
	callbackForms []NotificationForm
	// hosts (by exact name) and any host ending in hostSuffix speak this dialect by default.
	hosts      []string
	hostSuffix string
	// baseURL is the base URL of a client of this dialect without WithBaseURL.
	baseURL string
}

// pathForm: the paths under prefix use form.
type pathForm struct {
	prefix string
	form   BodyForm
}

// formFor is the dialect's usual body form for path.
func (s *dialectSpec) formFor(path string) BodyForm {
	for _, e := range s.formExceptions {
		if strings.HasPrefix(path, e.prefix) {
			return e.form
		}
	}
	return s.usualForm
}

// specOf is the spec of dialect d, or nil for a value that is no dialect.
func specOf(d Dialect) *dialectSpec {
	for _, s := range dialects {
		if s.dialect == d {
			return s
		}
	}
	return nil
}

// String returns "open-api" or "ph", the names ParseDialect and the command line accept.
func (d Dialect) String() string {
	if s := specOf(d); s != nil {
		return s.name
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// GoString returns the Go expression of d, e.g. "paycools.DialectPH".
func (d Dialect) GoString() string {
	if s := specOf(d); s != nil {
		return "paycools." + s.goName
	}
	return d.String()
}

// ParseDialect reads a dialect name: "open-api" (also "openapi") or "ph", in any case.
func ParseDialect(s string) (Dialect, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	var names []string
	for _, spec := range dialects {
		if name == spec.name || slices.Contains(spec.aliases, name) {
			return spec.dialect, nil
		}
		names = append(names, spec.name)
	}
	return 0, fmt.Errorf("paycools: unknown dialect %q (want %s)", s, strings.Join(names, " or "))
}

// EnvelopeSigning is the message that envelope operations sign. The open-api documentation
// signs param alone; the only success ever recorded from the PH host's /api/v2/checkout was
// signed over "appId=<appId>&param=<param>". `paycools probe` tells which one a host verifies.
type EnvelopeSigning int

const (
	// EnvelopeSignsParam signs the exact bytes of param (the open-api default).
	EnvelopeSignsParam EnvelopeSigning = iota + 1
	// EnvelopeSignsAppIDAndParam signs "appId=" + appId + "&param=" + param, with no URL
	// encoding and no sorting (the PH default).
	EnvelopeSignsAppIDAndParam
)

// String returns "param" or "appId&param", the names ParseEnvelopeSigning accepts.
func (e EnvelopeSigning) String() string {
	switch e {
	case EnvelopeSignsParam:
		return "param"
	case EnvelopeSignsAppIDAndParam:
		return "appId&param"
	}
	return fmt.Sprintf("EnvelopeSigning(%d)", int(e))
}

// GoString returns the Go expression of e, e.g. "paycools.EnvelopeSignsParam".
func (e EnvelopeSigning) GoString() string {
	switch e {
	case EnvelopeSignsParam:
		return "paycools.EnvelopeSignsParam"
	case EnvelopeSignsAppIDAndParam:
		return "paycools.EnvelopeSignsAppIDAndParam"
	}
	return e.String()
}

// ParseEnvelopeSigning reads an envelope-signing name: "param" or "appId&param" (also
// "appid-param"), in any case.
func ParseEnvelopeSigning(s string) (EnvelopeSigning, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "param":
		return EnvelopeSignsParam, nil
	case "appid&param", "appid-param", "appidandparam":
		return EnvelopeSignsAppIDAndParam, nil
	}
	return 0, fmt.Errorf("paycools: unknown envelope signing %q (want param or appId&param)", s)
}

// WithDialect sets the wire dialect. Without it the dialect follows the base URL: the PH hosts
// (api-uat.paycools.com, api.paycools.com, api.paycools.com.ph and any *.paycools.com.ph) give
// DialectPH, every other host DialectOpenAPI. An explicit dialect always wins; paired with a
// host of the other dialect it is honoured and one Warn line is logged. With DialectPH and no
// WithBaseURL the base URL is BaseURLPhilippinesUAT.
func WithDialect(d Dialect) Option {
	return func(c *Client) error {
		if specOf(d) == nil {
			var names []string
			for _, s := range dialects {
				names = append(names, s.goName)
			}
			return fmt.Errorf("WithDialect: %v is not %s", d, strings.Join(names, " or "))
		}
		c.dialect = d
		return nil
	}
}

// WithEnvelopeSigning sets the message every envelope operation of the client signs. The
// default is per dialect: EnvelopeSignsParam in the open-api dialect, EnvelopeSignsAppIDAndParam
// in the PH dialect (where only /api/v2/checkout uses the envelope).
func WithEnvelopeSigning(e EnvelopeSigning) Option {
	return func(c *Client) error {
		if e != EnvelopeSignsParam && e != EnvelopeSignsAppIDAndParam {
			return fmt.Errorf("WithEnvelopeSigning: %v is not EnvelopeSignsParam or EnvelopeSignsAppIDAndParam", e)
		}
		c.envSigning = e
		return nil
	}
}

// WithCallbackSecret sets the merchant secret that flat SHA-1 callbacks of the PH host are
// signed with (lowercase hex SHA-1 of the sorted k=v string + "&secret=" + secret). PayCools
// hands it out with the merchant's credentials ("merchant key" or "callback secret" in its
// dashboard). Without it, flat SHA-1 callbacks are refused (fail closed). The secret is never
// logged. A secret with whitespace around it (the trailing newline of a file) is refused, not
// trimmed: the hash covers the secret as given.
//
// To rotate the secret without downtime, give the new one in more: a callback that verifies
// with any of them, tried in order, is accepted, and the log line says which one did (its
// index, never the value). See the README, "Rotating keys". Each extra secret is checked as
// the first is, and a repeated one is refused.
func WithCallbackSecret(secret string, more ...string) Option {
	return func(c *Client) error {
		secrets := make([]*secretText, 0, 1+len(more))
		for i, v := range append([]string{secret}, more...) {
			name := "the secret"
			if i > 0 {
				name = fmt.Sprintf("secret %d", i+1)
			}
			if v == "" {
				return fmt.Errorf("WithCallbackSecret: %s is empty: set it to the callback secret of the PayCools dashboard", name)
			}
			if err := refuseSurroundingSpace(name, v); err != nil {
				return wrapError("WithCallbackSecret", err)
			}
			for j, prev := range secrets {
				if string(*prev) == v {
					return fmt.Errorf("WithCallbackSecret: secret %d is secret %d again: give each secret once", i+1, j+1)
				}
			}
			s := secretText(v)
			secrets = append(secrets, &s)
		}
		c.callbackSecret = secrets
		return nil
	}
}

// WithAppName sets appName, the merchant application's name, for every operation that carries
// it: in the PH dialect payouts, virtual accounts, QR codes, web payments and direct-debit
// payments need it; 4.2 and 6.1 carry it in both dialects. A value in the params' own AppName
// (4.2, 6.1) or, for params without one, in Extra["appName"] wins. A name with whitespace
// around it is refused, not trimmed.
func WithAppName(name string) Option {
	return func(c *Client) error {
		if strings.TrimSpace(name) == "" {
			return errors.New("WithAppName: empty name")
		}
		if err := refuseSurroundingSpace("the name", name); err != nil {
			return wrapError("WithAppName", err)
		}
		c.appName = name
		return nil
	}
}

// Dialect returns the wire dialect the client speaks.
func (c *Client) Dialect() Dialect { return c.dialect }

// EnvelopeSigning returns the message the client's envelope operations sign.
func (c *Client) EnvelopeSigning() EnvelopeSigning { return c.envSigning }

// knownHostDialect is the spec of the dialect a host PayCools is known to run speaks (the
// hosts and host suffix of each dialect), or nil for any other host (localhost, proxies,
// fakes). Names are compared ignoring case and port.
func knownHostDialect(baseURL string) *dialectSpec {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil
	}
	h := strings.ToLower(u.Hostname())
	for _, s := range dialects {
		if slices.Contains(s.hosts, h) || (s.hostSuffix != "" && strings.HasSuffix(h, s.hostSuffix)) {
			return s
		}
	}
	return nil
}

// dialectOfHost is the default dialect of a base URL (docs/dialects.md, "Hosts and the default
// dialect"): the dialect of a known host, else the first of dialects (open-api).
func dialectOfHost(baseURL string) *dialectSpec {
	if s := knownHostDialect(baseURL); s != nil {
		return s
	}
	return dialects[0]
}
