package paycoolstest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// CallbackResult is one callback the gateway POSTed to the merchant, and the merchant's reply.
type CallbackResult struct {
	// EventName is the event sent, e.g. "disbursement.success" or "payment.verification".
	EventName string
	// URL is where it was POSTed.
	URL string
	// Param is the event as sent: the exact param string the signature covers.
	Param []byte
	// Sign is the signature sent with it (platform key, SHA256withRSA, standard base64).
	Sign string
	// Time is when it was sent, by the gateway's clock.
	Time time.Time
	// Status is the HTTP status of the reply (0 when no reply came).
	Status int
	// Body is the body of the reply (at most 1 MiB is read).
	Body []byte
	// Err is the delivery error: connection refused, timeout, ... (nil when a reply came). A
	// callback that had no URL to go to wraps ErrNoCallbackURL.
	Err error

	// flat is whether Param is the whole body (the PH dialect's flat form) rather than the
	// param of a {"param","sign"} body; Redeliver sends it the same way.
	flat bool
}

// Acknowledged reports whether the merchant took the callback: HTTP 200 with code 10000, the
// only reply after which PayCools stops delivering (docs/envelope.md §9).
//
// In the PH dialect (a flat callback) the documented reply is code 1; since which reply stops
// redelivery there is unconfirmed (docs/dialects.md §10.2, P10), 1, 1000 and 10000 all count.
func (r *CallbackResult) Acknowledged() bool {
	code := r.replyCode()
	if r != nil && bytes.Contains(r.Param, []byte(`"sign":`)) {
		return code == 1 || code == 1000 || code == codeSuccess
	}
	return code == codeSuccess
}

// Accepted reports whether the reply to a repayment verification question accepts the
// payment: HTTP 200 with code 2000 (docs/envelope.md §10).
func (r *CallbackResult) Accepted() bool {
	return r.replyCode() == 2000
}

// ReplyCode is the code in the merchant's reply body (0 when there is none, or the status is
// not 200).
func (r *CallbackResult) ReplyCode() int { return r.replyCode() }

func (r *CallbackResult) replyCode() int {
	if r == nil || r.Err != nil || r.Status != http.StatusOK {
		return 0
	}
	var reply struct {
		Code json.RawMessage `json:"code"`
	}
	if json.Unmarshal(r.Body, &reply) != nil {
		return 0
	}
	n, _ := readInt(reply.Code)
	return int(n)
}

// Callbacks returns a copy of the callbacks sent so far, oldest first (the most recent 10000).
// It includes the attempts that could not be sent: a callback with no URL to go to is kept
// with Status 0 and an Err wrapping ErrNoCallbackURL, and can be sent later with Redeliver.
func (s *Server) Callbacks() []*CallbackResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*CallbackResult, len(s.cbs))
	for i, c := range s.cbs {
		cp := *c
		out[i] = &cp
	}
	return out
}

// ErrNoCallbackURL is wrapped by the Err of a callback that had nowhere to go: the object has
// no notifyUrl and no dashboard callback URL was set (SetCallbackURL), e.g. a payout completed
// before SetCallbackURL. Such a callback is not sent but is kept in Callbacks (Status 0), a
// warning is logged (WithLogger), and Redeliver can send it once a URL is set.
var ErrNoCallbackURL = errors.New("paycoolstest: callback undeliverable: no callback URL")

// noURLError is the Err of an undeliverable callback named name.
func noURLError(name string) error {
	return fmt.Errorf("%w for %s (give the object a notifyUrl, or SetCallbackURL and Redeliver)", ErrNoCallbackURL, name)
}

// Redeliver sends the i-th callback of Callbacks (0 is the oldest kept) again, as PayCools
// does when it retries: the same param and sign bytes, to the same URL. The attempt is kept
// in Callbacks like any other delivery, and its result is returned. When the original had no
// URL (its Err wraps ErrNoCallbackURL), it goes to the dashboard callback URL as set now
// (SetCallbackURL); if there is still none, the new attempt is kept undeliverable too.
//
// As with the outcome methods, a delivery problem is in the result's Err; the error is for a
// callback that cannot be redelivered: an index out of range (ErrNotFound), or a callback
// that was never signed (ErrState).
func (s *Server) Redeliver(i int) (*CallbackResult, error) {
	s.mu.Lock()
	if i < 0 || i >= len(s.cbs) {
		n := len(s.cbs)
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: callback %d (%d recorded)", ErrNotFound, i, n)
	}
	orig := s.cbs[i]
	url := orig.URL
	if url == "" {
		url = s.callbackURL
	}
	s.mu.Unlock()
	if orig.Param == nil {
		return nil, badState("callback %d (%s) was never signed: %v", i, orig.EventName, orig.Err)
	}
	res := &CallbackResult{EventName: orig.EventName, URL: url, Param: bytes.Clone(orig.Param), Sign: orig.Sign,
		flat: orig.flat, Time: s.now()}
	return s.send(res), nil
}

// obj is a JSON object (a callback param or the data of an answer) whose keys are written in the given order.
type obj []kv

type kv struct {
	k string
	v any
}

// MarshalJSON writes the keys in order, leaving out nil values and empty strings (PayCools
// leaves optional fields out) and never escaping HTML.
func (e obj) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	for _, f := range e {
		if f.v == nil || f.v == "" {
			continue
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(f.k)
		buf.Write(k)
		buf.WriteByte(':')
		v, err := marshalNoEscape(f.v)
		if err != nil {
			return nil, err
		}
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// deliver signs ev with the platform key and POSTs {"param","sign"} to url, synchronously. It
// records and returns the result. It must be called without s.mu held.
func (s *Server) deliver(name, url string, ev obj) *CallbackResult {
	res := &CallbackResult{EventName: name, URL: url, Time: s.now(), flat: s.Dialect() == paycools.DialectPH}
	param, err := marshalNoEscape(ev)
	if err == nil && res.flat {
		// The PH form: the event's members and a SHA-1 sign at the top level; Param is the body.
		param, res.Sign, err = s.flatCallbackBody(param)
		res.Param = param
	} else if err == nil {
		res.Param = param
		res.Sign, err = signWith(s.cfg.platform, param)
	}
	if err != nil {
		res.Err = err
		return s.recordCallback(res)
	}
	return s.send(res)
}

// send POSTs the signed callback res (Param and Sign set) to res.URL, or marks it undeliverable
// when there is no URL, then records and returns it. It must be called without s.mu held.
func (s *Server) send(res *CallbackResult) *CallbackResult {
	switch {
	case res.URL == "":
		res.Err = noURLError(res.EventName)
	case res.flat:
		res.Status, res.Body, res.Err = s.postBody(res.URL, res.Param)
	default:
		res.Status, res.Body, res.Err = s.post(res.URL, res.Param, res.Sign)
	}
	return s.recordCallback(res)
}

// recordCallback logs and keeps res, and returns a copy. It must be called without s.mu held.
func (s *Server) recordCallback(res *CallbackResult) *CallbackResult {
	if errors.Is(res.Err, ErrNoCallbackURL) {
		s.cfg.logger.Warn("paycoolstest callback undeliverable: no callback URL", "event", res.EventName, "err", res.Err)
	} else {
		s.cfg.logger.Info("paycoolstest callback", "event", res.EventName, "url", res.URL, "status", res.Status, "err", res.Err)
	}
	s.mu.Lock()
	s.cbs = appendBounded(s.cbs, res)
	s.mu.Unlock()
	cp := *res
	return &cp
}

func (s *Server) post(url string, param []byte, sign string) (int, []byte, error) {
	body, err := marshalNoEscape(map[string]string{"param": string(param), "sign": sign})
	if err != nil {
		return 0, nil, err
	}
	return s.postBody(url, body)
}

// postBody POSTs a callback body and returns the merchant's reply.
func (s *Server) postBody(url string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "paycoolstest-gateway")
	resp, err := s.cbClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, reply, err
}

// signWith signs the exact bytes with SHA256withRSA (PKCS#1 v1.5), standard base64.
func signWith(k *rsa.PrivateKey, b []byte) (string, error) {
	sum := sha256.Sum256(b)
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// phZone is Philippine time (UTC+8), in which PayCools writes zone-less times.
var phZone = time.FixedZone("PHT", 8*3600)

// wireTime formats a time as PayCools does: yyyy-MM-dd HH:mm:ss in UTC+8; "" for the zero time.
func wireTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(phZone).Format("2006-01-02 15:04:05")
}

// isoTime formats a time as ISO-8601 with milliseconds and offset (checkout expiresTime).
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(phZone).Format("2006-01-02T15:04:05.000-07:00")
}

// wireDate is the PH calendar day of t, yyyy-MM-dd.
func wireDate(t time.Time) string { return t.In(phZone).Format("2006-01-02") }
