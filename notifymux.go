package paycools

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
)

// NotificationMux serves one callback URL for several merchant applications (appIds) in one
// process, one Client per appId. For each callback it finds the client the callback belongs
// to, then hands the request to that client's own handler, which verifies it with that
// client's keys and secret only and runs it through that client's store, inbox, ledger,
// replay window and replies, exactly as the client's NotificationHandler or
// RepaymentVerificationHandler would.
//
// How the tenant is found (docs/dialects.md §10.3):
//
//   - a callback that names an appId under the signature (the appId member of a flat body, or
//     of an envelope's param) goes to that client, whose verification decides;
//   - an envelope whose only appId is the one beside param (which no signature covers) goes to
//     that client only when the signature verifies with a key of that client that no other
//     client of the mux holds: a routing hint never picks between tenants that share a key;
//   - a callback that names no appId goes to the one client whose keys or secrets verify it.
//
// Everything else is refused with 401 and a log line (on the first client's logger): an appId
// that no client has, a signature that does not verify with the named client's keys, a
// signature that several tenants' keys verify when nothing signed names the tenant. A mux is
// immutable and safe for concurrent use.
type NotificationMux struct {
	clients []*Client
	byApp   map[string]*Client
	// keyOwners maps a platform key (the SHA-256 of its DER form) to the clients that hold it.
	keyOwners map[[32]byte][]*Client
	// keys is every distinct platform key of the clients, once each: a callback that names no
	// appId costs one verification per key, not per client.
	keys []verifyKey
}

// NewNotificationMux returns a mux for the clients, one per appId. It refuses no client, a nil
// client, two clients with one appId, and a client that cannot verify callbacks (no platform
// key, and in the PH dialect no callback secret either).
func NewNotificationMux(clients ...*Client) (*NotificationMux, error) {
	if len(clients) == 0 {
		return nil, errors.New("paycools: NewNotificationMux: no client: give one client per appId")
	}
	m := &NotificationMux{byApp: make(map[string]*Client, len(clients)), keyOwners: map[[32]byte][]*Client{}}
	for i, c := range clients {
		if c == nil {
			return nil, fmt.Errorf("paycools: NewNotificationMux: client %d is nil", i+1)
		}
		if _, dup := m.byApp[c.appID]; dup {
			return nil, fmt.Errorf("paycools: NewNotificationMux: two clients have appId %q: a callback could not tell which one it belongs to; give one client per appId", c.appID)
		}
		if !c.canVerifyCallbacks() {
			return nil, fmt.Errorf("paycools: NewNotificationMux: client %d (appId %q): %s; its callbacks cannot be verified", i+1, c.appID, c.missingVerifier())
		}
		m.byApp[c.appID] = c
		m.clients = append(m.clients, c)
		for _, k := range c.platformKey {
			if m.keyOwners[k.sum] == nil {
				m.keys = append(m.keys, k)
			}
			m.keyOwners[k.sum] = append(m.keyOwners[k.sum], c)
		}
	}
	return m, nil
}

// Handler returns the http.Handler of the shared callback URL: each callback is handled by
// its client's NotificationHandler(fn), with Notification.AppID set to that client's appId.
// It panics if fn is nil.
func (m *NotificationMux) Handler(fn func(context.Context, *Notification) error) http.Handler {
	if fn == nil {
		panic("paycools: NotificationMux.Handler: nil function")
	}
	handlers := make(map[*Client]http.Handler, len(m.clients))
	for _, c := range m.clients {
		handlers[c] = c.NotificationHandler(fn)
	}
	return m.route(handlers)
}

// RepaymentVerificationHandler returns the http.Handler of the shared repayment verification
// URL: each question is answered by its client's RepaymentVerificationHandler, with fn told
// the appId of the client it was asked of. It panics if fn is nil.
func (m *NotificationMux) RepaymentVerificationHandler(fn func(ctx context.Context, appID string, q *RepaymentVerification) (accept bool, err error)) http.Handler {
	if fn == nil {
		panic("paycools: NotificationMux.RepaymentVerificationHandler: nil function")
	}
	handlers := make(map[*Client]http.Handler, len(m.clients))
	for _, c := range m.clients {
		appID := c.appID
		handlers[c] = c.RepaymentVerificationHandler(func(ctx context.Context, q *RepaymentVerification) (bool, error) {
			return fn(ctx, appID, q)
		})
	}
	return m.route(handlers)
}

// route finds each request's client and serves it with that client's handler, the body
// re-buffered (read once under the same 1 MiB cap).
func (m *NotificationMux) route(handlers map[*Client]http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeReply(w, http.StatusMethodNotAllowed, replyParamError)
			return
		}
		body, err := readCapped(r.Body, maxNotificationBytes)
		if errors.Is(err, errBodyTooLarge) {
			writeReply(w, http.StatusRequestEntityTooLarge, replyParamError)
			return
		}
		if err != nil {
			writeReply(w, http.StatusBadRequest, replyParamError)
			return
		}
		c, nerr := m.tenant(body)
		if nerr != nil {
			m.clients[0].logger.LogAttrs(r.Context(), slog.LevelWarn, "paycools callback refused: no tenant of the mux",
				slog.Int("http_status", nerr.status), slog.String("error", nerr.err.Error()))
			nerr.reply(w)
			return
		}
		r2 := r.Clone(r.Context())
		r2.Body = io.NopCloser(bytes.NewReader(body))
		r2.ContentLength = int64(len(body))
		handlers[c].ServeHTTP(w, r2)
	})
}

// tenant finds the client a callback body belongs to (see NotificationMux). It verifies only
// what it must to choose; the chosen client's handler verifies the callback again, and that
// verification decides.
func (m *NotificationMux) tenant(body []byte) (*Client, *notificationError) {
	p, nerr := splitCallback(body)
	if nerr != nil {
		return nil, nerr
	}
	return m.tenantOf(&p)
}

// tenantOf is tenant for a body taken apart.
func (m *NotificationMux) tenantOf(p *callbackParts) (*Client, *notificationError) {
	if p.appID != "" {
		c := m.byApp[p.appID]
		if c == nil {
			return nil, badSign(fmt.Sprintf("the callback names appId %q, which no client of the mux has", clip(p.appID, 64)), nil)
		}
		if p.appIDSigned {
			return c, nil
		}
		// The appId beside param is not signed: it only says which client's keys to try,
		// and cannot choose between clients that hold the key that verifies.
		i, ok := c.verifies(p)
		if !ok {
			return nil, badSign(fmt.Sprintf("the signature does not verify with the keys of appId %q, which the callback names", c.appID), nil)
		}
		if owners := m.keyOwners[c.platformKey[i].sum]; len(owners) > 1 {
			return nil, badSign(fmt.Sprintf("the appId beside param is not signed, and the key that verifies (%s) is held by %s: the tenant cannot be proven; serve each tenant on its own URL, or have PayCools put appId in param",
				c.platformKey[i].fingerprint, appIDList(owners)), nil)
		}
		return c, nil
	}
	var found []*Client
	if p.form == NotificationFormFlatSHA1 {
		for _, c := range m.clients {
			if _, ok := c.verifies(p); ok {
				found = append(found, c)
			}
		}
	} else {
		for _, k := range m.keys {
			if VerifyParam(k.pub, p.msg, p.sign) != nil {
				continue
			}
			for _, c := range m.keyOwners[k.sum] {
				if c.accepts(p.form) {
					found = append(found, c)
				}
			}
		}
	}
	switch len(found) {
	case 0:
		return nil, badSign("the callback names no appId, and no client of the mux verifies its signature", ErrSignatureMismatch)
	case 1:
		return found[0], nil
	}
	return nil, badSign(fmt.Sprintf("the callback names no appId, and its signature verifies for %s: the tenant cannot be told; serve each tenant on its own URL", appIDList(found)), nil)
}

// verifies reports whether the client accepts p's form and one of its keys or secrets
// verifies p's signature, and which one.
func (c *Client) verifies(p *callbackParts) (int, bool) {
	if !c.accepts(p.form) {
		return -1, false
	}
	if p.form == NotificationFormFlatSHA1 {
		i := c.secretIndex(p.msg, p.sign)
		return i, i >= 0
	}
	i, err := c.platformKeyIndex(p.msg, p.sign)
	return i, err == nil
}

// appIDList names clients by appId: "appIds a, b".
func appIDList(cs []*Client) string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.appID
	}
	return "appIds " + strings.Join(ids, ", ")
}
