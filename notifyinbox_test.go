package paycools

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorderStore is the memory store with an EventRecorder whose calls are kept, and fail
// while broken is set.
type recorderStore struct {
	*MemoryNotificationStore
	broken atomic.Bool
	mu     sync.Mutex
	calls  []string
	got    []ReceivedEvent
}

func (s *recorderStore) note(call string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call)
	if s.broken.Load() {
		return errors.New("inbox table locked")
	}
	return nil
}

func (s *recorderStore) Received(_ context.Context, e ReceivedEvent) error {
	s.mu.Lock()
	s.got = append(s.got, e)
	s.mu.Unlock()
	return s.note("received " + e.Key)
}

func (s *recorderStore) Handled(_ context.Context, _, key string) error {
	return s.note("handled " + key)
}

func (s *recorderStore) Failed(_ context.Context, _, key, lastError string) error {
	return s.note("failed " + key + ": " + lastError)
}

func (s *recorderStore) log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// NotificationHandler gives a recording store the verified event's exact body, form, name, key
// and time before the function runs, and its outcome after: the error redacted, a panic as
// "panic: ...". A redelivery of a handled event is not recorded. A recorder that fails changes
// nothing (the inbox is a record, not the de-duplication): the function runs and the reply is
// the same, with a warning logged.
func TestNotificationHandlerRecordsEvents(t *testing.T) {
	clk := &testClock{now: fixedNow}
	mem := NewMemoryNotificationStore(time.Hour)
	mem.now = clk.Now
	store := &recorderStore{MemoryNotificationStore: mem}
	var logs syncBuffer
	c := newFakeAPI(t, WithNotificationStore(store), WithClock(clk.Now), WithLogger(newTextLogger(&logs))).Client
	var runs atomic.Int32
	h := c.NotificationHandler(func(context.Context, *Notification) error {
		switch runs.Add(1) {
		case 1:
			return errors.New("credit of account 09171234567 refused")
		case 2:
			panic("nil map")
		}
		return nil
	})
	body := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"DR1","transactionStatus":"COMPLETED"}`)
	key := "disbursement.success:transactionId=DR1:COMPLETED"

	assert.Equal(t, 500, serveCallback(h, "POST", body).Code)
	assert.Equal(t, 500, serveCallback(h, "POST", body).Code)
	assert.Equal(t, 200, serveCallback(h, "POST", body).Code)
	assert.Equal(t, 200, serveCallback(h, "POST", body).Code) // handled: not run, not recorded
	assert.Equal(t, []string{
		"received " + key, "failed " + key + ": credit of account *******4567 refused",
		"received " + key, "failed " + key + ": panic: nil map",
		"received " + key, "handled " + key,
	}, store.log())
	require.Len(t, store.got, 3)
	assert.Equal(t, ReceivedEvent{AppID: testAppID, Key: key, EventName: "disbursement.success", Form: NotificationFormEnvelope, Body: body, ReceivedAt: fixedNow},
		store.got[0])

	store.broken.Store(true)
	other := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"DR2","transactionStatus":"COMPLETED"}`)
	assert.Equal(t, 200, serveCallback(h, "POST", other).Code, "a failing recorder changes no reply")
	assert.EqualValues(t, 4, runs.Load())
	assert.Equal(t, 200, serveCallback(h, "POST", other).Code)
	assert.EqualValues(t, 4, runs.Load(), "and not the de-duplication")
	assert.Contains(t, logs.String(), "paycools event inbox: recording the event failed")
}

// A replay header means nothing to a store that takes no replay token: a handled event is
// acknowledged without running the function.
func TestNotificationReplayHeaderWithoutReplayStore(t *testing.T) {
	c := newFakeAPI(t).Client
	var runs atomic.Int32
	h := c.NotificationHandler(func(context.Context, *Notification) error { runs.Add(1); return nil })
	body := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"DR3","transactionStatus":"COMPLETED"}`)
	assert.Equal(t, 200, serveCallback(h, "POST", body).Code)
	rec := serveCallbackHeader(h, body, ReplayHeader, "0123456789abcdef")
	assert.Equal(t, 200, rec.Code)
	assert.EqualValues(t, 1, runs.Load())
}

// serveCallbackHeader posts body to h with one header set.
func serveCallbackHeader(h http.Handler, body []byte, name, value string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/notify", bytes.NewReader(body))
	r.Header.Set(name, value)
	h.ServeHTTP(rec, r)
	return rec
}
