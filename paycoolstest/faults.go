package paycoolstest

import (
	"fmt"
	"strings"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// Fault is a misbehaviour the gateway shows on the next call of one operation (InjectFault).
// The zero value does nothing. The fields combine in this order: Delay, then
// DropBeforeAction, then the answer (Code, Body or HTTPStatus replace the normal answer), with
// DropAfterAction winning over any answer.
type Fault struct {
	// Code, when not 0, is answered instead of the normal answer, as {"code":Code,
	// "message":Message} (Message defaults to the code's documented text), and the gateway does
	// not act on the request (unless ActBeforeAnswer).
	Code int
	// Message is the message sent with Code.
	Message string
	// Delay is waited before the gateway does anything with the request, so that a client
	// timeout can expire first. The gateway then goes on (it acts even if the client gave up,
	// as a real server does). Close interrupts the wait.
	Delay time.Duration
	// DropBeforeAction closes the connection without answering and without acting.
	DropBeforeAction bool
	// DropAfterAction lets the gateway act on the request (a payout is created, a balance
	// reduced, ...), then closes the connection without answering: the client cannot know the
	// outcome.
	DropAfterAction bool
	// HTTPStatus is the HTTP status of the replaced answer (default 200). Alone, it answers that
	// status with an empty body, e.g. 503.
	HTTPStatus int
	// Body, when not "", is answered as is (with HTTPStatus, default 200) instead of an
	// envelope, e.g. an HTML error page of a proxy.
	Body string
	// ActBeforeAnswer makes the gateway act on the request before it sends the replaced
	// answer (Code, Body or HTTPStatus): "processed, but the answer was lost or wrong".
	ActBeforeAnswer bool
}

// InjectFault makes the next call of an operation misbehave as f says, once. target is an
// Operation (paycools.OpPayoutCreate; for a WithRoute route its method and path, e.g.
// "POST /api/v1/merchant/info") or a request path: a path of the operation table
// ("/open-api/disbursement/check"), a concrete path of a templated route
// ("/api/v1/batch/paymentCode/ABC1/update": any id), or any other path. Several faults
// injected for the same target apply to successive calls, in order.
func (s *Server) InjectFault(target paycools.Operation, f Fault) {
	key := s.faultKey(target)
	s.mu.Lock()
	s.fault[key] = append(s.fault[key], f)
	s.mu.Unlock()
}

// ClearFaults removes every fault not yet applied.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.fault = map[string][]Fault{}
	s.mu.Unlock()
}

// faultKey resolves a target to the key of its route (a modelled one first, then a WithRoute
// one), or keeps an unknown path as it is.
func (s *Server) faultKey(target paycools.Operation) string {
	t := string(target)
	if a, ok := aliases[target]; ok {
		target = a
	}
	tables := [...][]*route{routes, s.custom}
	for _, table := range tables {
		for _, rt := range table {
			if rt.op == target {
				return rt.key()
			}
		}
	}
	if strings.HasPrefix(t, "/") {
		segs := strings.Split(strings.Trim(t, "/"), "/")
		for _, table := range tables {
			for _, rt := range table {
				if rt.path == t {
					return rt.key()
				}
				if _, ok := matchPath(rt.path, segs); ok {
					return rt.key()
				}
			}
		}
		return "path " + t
	}
	panic(fmt.Sprintf("paycoolstest: InjectFault: %q is neither a known operation nor a path", t))
}

// takeFault removes and returns the next fault for a route (or a literal path).
func (s *Server) takeFault(routeKey, path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range []string{routeKey, "path " + path} {
		if q := s.fault[k]; len(q) > 0 {
			f := q[0]
			if len(q) == 1 {
				delete(s.fault, k)
			} else {
				s.fault[k] = q[1:]
			}
			return &f
		}
	}
	return nil
}
