package paycools

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// MemoryLedger: the Ledger in memory, for one process and tests.

// MemoryLedger is a Ledger in memory: one process, for tests and for programs that only want
// the in-process bookkeeping. It does not survive a restart; use paycoolssql for that.
type MemoryLedger struct {
	mu      sync.Mutex
	intents map[string]*Intent
	seq     map[string]uint64 // intent id -> write order, which breaks CreatedAt ties
	next    uint64
}

// NewMemoryLedger returns an empty in-memory ledger.
func NewMemoryLedger() *MemoryLedger {
	return &MemoryLedger{intents: map[string]*Intent{}, seq: map[string]uint64{}}
}

// oldestFirst sorts intents by CreatedAt, ties in the order they were recorded.
func (l *MemoryLedger) oldestFirst(in []*Intent) {
	sort.Slice(in, func(a, b int) bool {
		if !in[a].CreatedAt.Equal(in[b].CreatedAt) {
			return in[a].CreatedAt.Before(in[b].CreatedAt)
		}
		return l.seq[in[a].ID] < l.seq[in[b].ID]
	})
}

// Record writes a new open intent.
func (l *MemoryLedger) Record(_ context.Context, in *Intent) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.intents {
		if e.AppID == in.AppID && e.Operation == in.Operation && e.MchOrderID == in.MchOrderID && (!e.State.Final() || e.State == IntentCreated) {
			return &IntentOpenError{IntentID: e.ID, State: e.State}
		}
	}
	if _, dup := l.intents[in.ID]; dup {
		return fmt.Errorf("paycools: ledger: intent id %s exists", in.ID)
	}
	cp := *in
	cp.Param = append([]byte(nil), in.Param...)
	l.intents[in.ID] = &cp
	l.next++
	l.seq[in.ID] = l.next
	return nil
}

// Resolve records the outcome of intent id.
func (l *MemoryLedger) Resolve(_ context.Context, id string, r IntentResolution) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.intents[id]
	if !ok {
		return fmt.Errorf("paycools: ledger: no intent %s", id)
	}
	late := e.State == IntentAbsent && (r.State == IntentCreated || r.State == IntentLate)
	if e.State.Final() && !late {
		return nil
	}
	if r.State == IntentLate && !late {
		r.State = IntentCreated // only an absent intent can be late
	}
	e.State, e.TransactionID, e.Detail, e.UpdatedAt = r.State, r.TransactionID, r.Detail, r.At
	if late {
		e.State = IntentLate
	}
	if !r.SentBy.IsZero() {
		e.SentBy = r.SentBy
	}
	e.ClaimToken, e.ClaimUntil = "", time.Time{}
	return nil
}

// ClaimUnsettled claims up to limit created or late intents of appID without a final status.
func (l *MemoryLedger) ClaimUnsettled(_ context.Context, appID, token string, now, until, createdFrom, createdBy time.Time, limit int) ([]Intent, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var open []*Intent
	for _, e := range l.intents {
		if e.AppID == appID && (e.State == IntentCreated || e.State == IntentLate) && e.FinalStatus == "" && !e.ClaimUntil.After(now) &&
			!e.CreatedAt.Before(createdFrom) && !e.CreatedAt.After(createdBy) {
			open = append(open, e)
		}
	}
	l.oldestFirst(open)
	if len(open) > limit {
		open = open[:limit]
	}
	out := make([]Intent, 0, len(open))
	for _, e := range open {
		e.ClaimToken, e.ClaimUntil = token, until
		out = append(out, *e)
	}
	return out, nil
}

// Finalize records the final state of a created or late intent's order, once.
func (l *MemoryLedger) Finalize(_ context.Context, id string, f OrderFinal) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.intents[id]
	if !ok {
		return fmt.Errorf("paycools: ledger: no intent %s", id)
	}
	if (e.State != IntentCreated && e.State != IntentLate) || e.FinalStatus != "" {
		return nil
	}
	e.FinalStatus, e.FinalAmount, e.FinalAt, e.UpdatedAt = f.Status, f.Amount, f.At, f.At
	e.ClaimToken, e.ClaimUntil = "", time.Time{}
	return nil
}

// Unclaim ends the claim of token on intent id.
func (l *MemoryLedger) Unclaim(_ context.Context, id, token string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.intents[id]; ok && e.ClaimToken == token {
		e.ClaimToken, e.ClaimUntil = "", time.Time{}
	}
	return nil
}

// ClaimOpen claims up to limit open intents of appID whose claim ended by now.
func (l *MemoryLedger) ClaimOpen(_ context.Context, appID, token string, now, until, createdFrom time.Time, limit int) ([]Intent, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var open []*Intent
	for _, e := range l.intents {
		if e.AppID == appID && !e.State.Final() && !e.ClaimUntil.After(now) && !e.CreatedAt.Before(createdFrom) {
			open = append(open, e)
		}
	}
	l.oldestFirst(open)
	if len(open) > limit {
		open = open[:limit]
	}
	out := make([]Intent, 0, len(open))
	for _, e := range open {
		e.ClaimToken, e.ClaimUntil = token, until
		out = append(out, *e)
	}
	return out, nil
}

// Intents returns every intent of appID's op for mchOrderID, oldest first.
func (l *MemoryLedger) Intents(_ context.Context, appID string, op Operation, mchOrderID string) ([]Intent, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var found []*Intent
	for _, e := range l.intents {
		if e.AppID == appID && e.Operation == op && e.MchOrderID == mchOrderID {
			found = append(found, e)
		}
	}
	l.oldestFirst(found)
	out := make([]Intent, len(found))
	for i, e := range found {
		out[i] = *e
	}
	return out, nil
}
