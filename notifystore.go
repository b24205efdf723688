package paycools

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// NotificationState is where a callback stands in a NotificationStore.
type NotificationState int

// Notification states.
const (
	// NotificationStateNew: not seen before (or its earlier claim's lease ran out); the caller now
	// holds the claim and must Finish or Release it.
	NotificationStateNew NotificationState = iota
	// NotificationStateInFlight: another delivery of the same event holds a live claim right now.
	NotificationStateInFlight
	// NotificationStateDone: the event was handled successfully before.
	NotificationStateDone
)

// String names the state: "new", "in-flight" or "done".
func (s NotificationState) String() string {
	switch s {
	case NotificationStateNew:
		return "new"
	case NotificationStateInFlight:
		return "in-flight"
	case NotificationStateDone:
		return "done"
	}
	return "NotificationState(" + strconv.Itoa(int(s)) + ")"
}

// DefaultNotificationLease is how long a claim on an event lasts in the SDK's stores unless
// they are given another lease: a claim that is neither finished nor released within it (its
// process died mid-function) can be taken by the next delivery. The handlers renew the claim
// every third of its lease while the function runs, so a slow function keeps it; when the
// renewal fails (the store is unreachable for two thirds of a lease, or the claim was taken),
// the function's context is cancelled with cause ErrClaimLost.
const DefaultNotificationLease = 5 * time.Minute

// ErrClaimLost is returned (wrapped) by NotificationStore.Renew and NotificationStore.Finish
// when the claim of the token given is no longer that delivery's: its lease ended and another
// delivery took the event, or another delivery finished it. The function of the delivery that
// lost its claim may have run at the same time as another one.
var ErrClaimLost = errors.New("paycools: the claim on the event is no longer this delivery's (its lease ended and another delivery took it)")

// NotificationClaim is the answer of NotificationStore.Claim.
type NotificationClaim struct {
	// State is where the event stands: NotificationStateNew (this delivery now holds the claim),
	// NotificationStateInFlight or NotificationStateDone.
	State NotificationState
	// Token identifies this delivery's claim, for Renew, Finish and Release (NotificationStateNew
	// only; empty otherwise).
	Token string
	// Lease is how long the claim lasts from now unless renewed (NotificationStateNew only). The
	// handlers renew it every Lease/3 while the function runs; <= 0 means
	// DefaultNotificationLease.
	Lease time.Duration
	// Result is what Finish stored with the event (NotificationStateDone only): for a repayment
	// verification question, the decision, so that the same question gets the same answer.
	// Empty for the notifications, and for an event finished without a result.
	Result string
}

// NotificationStore makes NotificationHandler run the user's function once per event although
// PayCools delivers at least once, and RepaymentVerificationHandler decide each question once.
// Implementations must be safe for concurrent use, and for use from several processes at once
// when they share storage (paycoolssql does so on PostgreSQL or SQLite). Each method must be
// atomic on its own (one statement on a unique key, never read-then-write).
//
// Every method names the merchant application (appID, the client's Client.AppID) the event
// belongs to: an entry is identified by appID and key together, so that two tenants sharing
// one store, whose gateways may hand out the same transaction ids, never see each other's
// events as duplicates.
//
// A claim is a lease: the store gives it a token and an end, the handler renews it while the
// function runs, and a claim not finished, released or renewed before its end is taken by the
// next Claim of the key, with a new token.
type NotificationStore interface {
	// Claim takes appID's key for handling and returns NotificationStateNew with the claim's
	// token and lease, or reports NotificationStateInFlight (a live claim of another delivery)
	// or NotificationStateDone (handled before, with the result Finish stored).
	Claim(ctx context.Context, appID, key string) (NotificationClaim, error)
	// Renew extends the claim of token on appID's key by the store's lease, from now (the
	// heartbeat of a running function). It fails wrapping ErrClaimLost when the claim is no
	// longer token's.
	Renew(ctx context.Context, appID, key, token string) error
	// Finish records appID's key as done, with result (small: a repayment decision is its code
	// and the refusal's message; "" for none):
	// later claims answer NotificationStateDone and result for the store's retention. It fails
	// wrapping ErrClaimLost, recording nothing, when another delivery took the claim or
	// finished the event; finishing again with the same token succeeds (a retried Finish whose
	// first answer was lost), as does finishing a claim that ended without being taken over.
	Finish(ctx context.Context, appID, key, token, result string) error
	// Release gives the claim of token on appID's key back, so that a redelivery is handled
	// again. It does nothing when the claim is no longer token's (taken over after the lease,
	// or finished).
	Release(ctx context.Context, appID, key, token string) error
}

// NotificationKey is the key NotificationHandler gives the store for a callback: the event's
// business identity, so that a redelivery whose time fields or signature were re-stamped is
// still recognised as the same event. It is
//
//	eventName + ":" + idName + "=" + id + ":" + status
//
// where id is the first non-empty of refundTransactionId, transactionId, mchRefundOrderId,
// mchOrderId and requestId (the PayCools id before the merchant's own), and status the first of
// refundStatus, transactionStatus, tokenStatus, kycStatus and status. Per event family:
// payouts, virtual account, QR, bank transfer, web, checkout and direct debit payments key on
// transactionId + transactionStatus; refunds on refundTransactionId + refundStatus; direct-debit
// token events on requestId + tokenStatus; eKYC on requestId + kycStatus. The names are read in
// both dialects (the flat PH callbacks use the same names). An event that carries none of the
// ids falls back to eventName + ":sha256=" + the SHA-256 of the verified param.
func NotificationKey(n *Notification) string {
	var f struct {
		RefundTransactionID json.RawMessage `json:"refundTransactionId"`
		TransactionID       json.RawMessage `json:"transactionId"`
		MchRefundOrderID    json.RawMessage `json:"mchRefundOrderId"`
		MchOrderID          json.RawMessage `json:"mchOrderId"`
		RequestID           json.RawMessage `json:"requestId"`
		RefundStatus        json.RawMessage `json:"refundStatus"`
		TransactionStatus   json.RawMessage `json:"transactionStatus"`
		TokenStatus         json.RawMessage `json:"tokenStatus"`
		KYCStatus           json.RawMessage `json:"kycStatus"`
		Status              json.RawMessage `json:"status"`
	}
	if json.Unmarshal(n.Param, &f) == nil {
		ids := [...]struct {
			name string
			raw  json.RawMessage
		}{
			{"refundTransactionId", f.RefundTransactionID}, {"transactionId", f.TransactionID},
			{"mchRefundOrderId", f.MchRefundOrderID}, {"mchOrderId", f.MchOrderID}, {"requestId", f.RequestID},
		}
		for _, id := range ids {
			v := keyValue(id.raw)
			if v == "" {
				continue
			}
			status := ""
			for _, s := range [...]json.RawMessage{f.RefundStatus, f.TransactionStatus, f.TokenStatus, f.KYCStatus, f.Status} {
				if status = keyValue(s); status != "" {
					break
				}
			}
			return n.EventName + ":" + id.name + "=" + v + ":" + status
		}
	}
	sum := sha256.Sum256(n.Param)
	return n.EventName + ":sha256=" + hex.EncodeToString(sum[:])
}

// keyValue is a string or number field as text for NotificationKey ("" for null, absent,
// objects and arrays). Colons are escaped so that the parts of a key cannot run together.
func keyValue(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	var v string
	switch raw[0] {
	case '"':
		if json.Unmarshal(raw, &v) != nil {
			return ""
		}
	case '{', '[', 'n', 't', 'f':
		return ""
	default:
		v = string(raw)
	}
	return strings.ReplaceAll(strings.ReplaceAll(v, "%", "%25"), ":", "%3A")
}

// MemoryNotificationStore is the default NotificationStore: in memory, one process. Claims
// last a lease (DefaultNotificationLease unless NewMemoryNotificationStoreLease says
// otherwise); handled events are remembered for a TTL.
type MemoryNotificationStore struct {
	ttl     time.Duration
	lease   time.Duration
	now     func() time.Time
	mu      sync.Mutex
	entries map[memoryKey]memoryEntry
	seq     uint64
	sweeps  int
}

// memoryKey identifies an entry of MemoryNotificationStore: the tenant and the event's key.
type memoryKey struct{ appID, key string }

type memoryEntry struct {
	done    bool
	token   string    // the claim's token; for a done entry, that of the claim that finished it
	result  string    // what Finish stored
	expires time.Time // the end of the claim's lease, or of the done entry's TTL
}

// NewMemoryNotificationStore returns an in-memory store that remembers handled events for ttl,
// with claims of DefaultNotificationLease.
func NewMemoryNotificationStore(ttl time.Duration) *MemoryNotificationStore {
	return NewMemoryNotificationStoreLease(ttl, DefaultNotificationLease)
}

// NewMemoryNotificationStoreLease is NewMemoryNotificationStore with claims that last lease.
// A lease <= 0 means DefaultNotificationLease.
func NewMemoryNotificationStoreLease(ttl, lease time.Duration) *MemoryNotificationStore {
	if lease <= 0 {
		lease = DefaultNotificationLease
	}
	return &MemoryNotificationStore{ttl: ttl, lease: lease, now: time.Now, entries: map[memoryKey]memoryEntry{}}
}

// Claim claims appID's key for the lease, or reports it in flight or done (with its result).
func (s *MemoryNotificationStore) Claim(_ context.Context, appID, key string) (NotificationClaim, error) {
	k := memoryKey{appID, key}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweep(now)
	if e, ok := s.entries[k]; ok && now.Before(e.expires) {
		if e.done {
			return NotificationClaim{State: NotificationStateDone, Result: e.result}, nil
		}
		return NotificationClaim{State: NotificationStateInFlight}, nil
	}
	s.seq++
	token := strconv.FormatUint(s.seq, 36)
	s.entries[k] = memoryEntry{token: token, expires: now.Add(s.lease)}
	return NotificationClaim{State: NotificationStateNew, Token: token, Lease: s.lease}, nil
}

// Renew extends the claim of token on appID's key by the lease, or fails wrapping
// ErrClaimLost.
func (s *MemoryNotificationStore) Renew(_ context.Context, appID, key, token string) error {
	k := memoryKey{appID, key}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[k]
	if !ok || e.done || e.token != token {
		return fmt.Errorf("paycools: renew: %w", ErrClaimLost)
	}
	e.expires = s.now().Add(s.lease)
	s.entries[k] = e
	return nil
}

// Finish records appID's key as done, with result, for the TTL; it fails wrapping
// ErrClaimLost when another delivery's claim or finish is in the way.
func (s *MemoryNotificationStore) Finish(_ context.Context, appID, key, token, result string) error {
	k := memoryKey{appID, key}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[k]; ok && e.token != token {
		return fmt.Errorf("paycools: finish: %w", ErrClaimLost)
	}
	s.entries[k] = memoryEntry{done: true, token: token, result: result, expires: s.now().Add(s.ttl)}
	return nil
}

// Release forgets the claim of token on appID's key, if it still holds.
func (s *MemoryNotificationStore) Release(_ context.Context, appID, key, token string) error {
	k := memoryKey{appID, key}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[k]; ok && !e.done && e.token == token {
		delete(s.entries, k)
	}
	return nil
}

// sweep drops expired entries every 256 calls, so the map does not grow without bound.
func (s *MemoryNotificationStore) sweep(now time.Time) {
	s.sweeps++
	if s.sweeps%256 != 0 {
		return
	}
	for k, e := range s.entries {
		if !now.Before(e.expires) {
			delete(s.entries, k)
		}
	}
}

// WithNotificationStore sets the store NotificationHandler uses to handle each event once
// (default: NewMemoryNotificationStore(24h)). nil turns de-duplication off.
func WithNotificationStore(s NotificationStore) Option {
	return func(c *Client) error {
		c.notifyStore = s
		return nil
	}
}

// defaultReplayWindow is both the default store's memory of handled events and the default
// age past which an event is refused: a captured callback replayed after the store forgot it
// is refused by its age instead of running the function again.
const defaultReplayWindow = 24 * time.Hour

// maxClockSkew is how far in the future an event's time may be (the two clocks disagree).
const maxClockSkew = 5 * time.Minute

// WithNotificationMaxAge makes NotificationHandler and RepaymentVerificationHandler refuse
// (401) events older than maxAge, or more than 5 minutes in the future, as a guard against
// replayed callbacks. The age is read from the event's own time: param's timestamp, else
// returnTime, completeTime, transactionTime, updateTime or createTime. With the option given,
// an event with none of these is refused too (fail closed).
//
// By default the window is 24 hours, the default store's memory of handled events, so that a
// replay is refused by one or the other; then an event without a time is let through (some
// events, such as the direct-debit token ones, carry none) and only the store guards it.
// Keep maxAge no longer than the store's retention. 0 turns the window off.
func WithNotificationMaxAge(maxAge time.Duration) Option {
	return func(c *Client) error {
		if maxAge < 0 {
			return fmt.Errorf("WithNotificationMaxAge(%v): must not be negative", maxAge)
		}
		c.notifyMaxAge, c.notifyStrict = maxAge, maxAge > 0
		return nil
	}
}

// fresh applies the replay window to a verified event, and logs a refusal.
func (c *Client) fresh(r *http.Request, n *Notification) bool {
	if c.notifyMaxAge <= 0 {
		return true
	}
	at, ok := eventTime(n.Param)
	if !ok {
		if !c.notifyStrict {
			return true
		}
		c.logger.LogAttrs(r.Context(), slog.LevelWarn, "paycools callback refused: it carries no time and WithNotificationMaxAge is set",
			slog.String("event", n.EventName))
		return false
	}
	now := c.clock()
	if now.Sub(at) > c.notifyMaxAge || at.Sub(now) > maxClockSkew {
		c.logger.LogAttrs(r.Context(), slog.LevelWarn, "paycools callback refused: its time is outside the replay window",
			slog.String("event", n.EventName), slog.Time("event_time", at), slog.Duration("max_age", c.notifyMaxAge))
		return false
	}
	return true
}

// eventTime reads the event's own time from a verified param, for the age window.
func eventTime(param []byte) (time.Time, bool) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(param, &fields) != nil {
		return time.Time{}, false
	}
	lower := make(map[string]json.RawMessage, len(fields))
	for k, v := range fields {
		lower[strings.ToLower(k)] = v
	}
	for _, name := range []string{"timestamp", "returntime", "completetime", "transactiontime", "updatetime", "createtime"} {
		raw, ok := lower[name]
		if !ok {
			continue
		}
		var t Time
		if json.Unmarshal(raw, &t) == nil && !t.IsZero() {
			return t.Time, true
		}
	}
	return time.Time{}, false
}
