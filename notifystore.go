package paycools

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// NotificationState is where a callback stands in a NotificationStore.
type NotificationState int

// Notification states.
const (
	// NotificationNew: not seen before; the caller now holds the claim and must Finish it.
	NotificationNew NotificationState = iota
	// NotificationInFlight: another delivery of the same event is being handled right now.
	NotificationInFlight
	// NotificationDone: the event was handled successfully before.
	NotificationDone
)

// NotificationStore makes NotificationHandler run the user's function once per event although
// PayCools delivers at least once. Implementations must be safe for concurrent use; back it
// with a database (a unique key) when several processes receive callbacks.
type NotificationStore interface {
	// Begin claims key for handling, or reports that it is in flight or done.
	Begin(ctx context.Context, key string) (NotificationState, error)
	// Finish ends a claim: handled true records the event as done; false forgets the claim so
	// that a redelivery is handled again.
	Finish(ctx context.Context, key string, handled bool) error
}

// NotificationKey is the key NotificationHandler gives the store for a callback: the event
// name and the SHA-256 of the verified param bytes (a redelivery carries the same param).
func NotificationKey(n *Notification) string {
	sum := sha256.Sum256(n.Param)
	return n.EventName + ":" + hex.EncodeToString(sum[:])
}

// MemoryNotificationStore is the default NotificationStore: in memory, one process, entries
// kept for a TTL after they are done.
type MemoryNotificationStore struct {
	ttl     time.Duration
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]memoryEntry
	sweeps  int
}

type memoryEntry struct {
	done    bool
	expires time.Time
}

// NewMemoryNotificationStore returns an in-memory store that remembers handled events for ttl.
func NewMemoryNotificationStore(ttl time.Duration) *MemoryNotificationStore {
	return &MemoryNotificationStore{ttl: ttl, now: time.Now, entries: map[string]memoryEntry{}}
}

// Begin claims key, or reports it in flight or done.
func (s *MemoryNotificationStore) Begin(_ context.Context, key string) (NotificationState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweep(now)
	if e, ok := s.entries[key]; ok && now.Before(e.expires) {
		if e.done {
			return NotificationDone, nil
		}
		return NotificationInFlight, nil
	}
	// A claim that is never finished (a crashed handler) expires after the TTL too.
	s.entries[key] = memoryEntry{expires: now.Add(s.ttl)}
	return NotificationNew, nil
}

// Finish records key as done, or forgets it.
func (s *MemoryNotificationStore) Finish(_ context.Context, key string, handled bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !handled {
		delete(s.entries, key)
		return nil
	}
	s.entries[key] = memoryEntry{done: true, expires: s.now().Add(s.ttl)}
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

// WithNotificationMaxAge makes NotificationHandler refuse (401) events older than maxAge, as
// a guard against replayed callbacks. The age is read from the event's own time: param's
// timestamp, else returnTime, completeTime, transactionTime, updateTime or createTime. An event
// with none of these is refused too while the option is on (fail closed). Off by default:
// PayCools' redelivery schedule is undocumented, so choose a window longer than it.
func WithNotificationMaxAge(maxAge time.Duration) Option {
	return func(c *Client) error {
		c.notifyMaxAge = maxAge
		return nil
	}
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
