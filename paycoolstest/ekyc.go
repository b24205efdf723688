package paycoolstest

import (
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// ekycSession is one identity verification (doc section 11, all unconfirmed).
type ekycSession struct {
	requestID, userID, channel string
	notifyURL, redirectURL     string
	status                     string // PENDING, APPROVED, REJECTED
	created, updated           time.Time
	failedCode                 int
	failedMessage              string
}

// eKYC states (docs/families.md, unconfirmed).
const (
	kycApproved = "APPROVED"
	kycRejected = "REJECTED"
)

func init() {
	addRoute(&route{
		op: paycools.OpEKYCInit, method: "POST", path: "/open-api/ekyc/init",
		fields: rules(
			"requestId* str 1..32",
			"userId* str 1..32",
			"channelCode* str 1..64",
			"notifyUrl* url 1..256",
			"redirectUrl* url 1..512",
		),
		handle: func(s *Server, c *call) (any, *apiError) {
			p := c.p
			id := p.str("requestId")
			if s.st.ekyc[id] != nil {
				return nil, refuse(codeDuplicateOrder)
			}
			e := &ekycSession{
				requestID: id, userID: p.str("userId"), channel: p.str("channelCode"),
				notifyURL: p.str("notifyUrl"), redirectURL: p.str("redirectUrl"),
				status: statusPending, created: c.now, updated: c.now,
			}
			s.st.ekyc[id] = e
			return obj{
				{"requestId", e.requestID},
				{"userId", e.userID},
				{"channelCode", e.channel},
				{"ekycUrl", s.pageURL("ekyc", e.requestID)},
			}, nil
		},
	})
	addRoute(&route{
		op: paycools.OpEKYCGetResult, method: "POST", path: "/open-api/ekyc/query",
		fields: rules("requestId* str 1..32", "userId str 1..32"),
		handle: func(s *Server, c *call) (any, *apiError) {
			e := s.st.ekyc[c.p.str("requestId")]
			if e == nil || (c.p.str("userId") != "" && c.p.str("userId") != e.userID) {
				return nil, refuse(codeNotFound)
			}
			o := obj{
				{"requestId", e.requestID},
				{"userId", e.userID},
				{"channelCode", e.channel},
				{"kycStatus", e.status},
				{"createTime", wireTime(e.created)},
				{"updateTime", wireTime(e.updated)},
			}
			if e.status == kycRejected {
				o = append(o, kv{"failedCode", e.failedCode}, kv{"failedMessage", e.failedMessage})
			}
			return o, nil
		},
	})
}

// CompleteEKYC plays the user who passes the identity verification requestID: it becomes
// APPROVED and ekyc.success is POSTed to its notifyUrl; the merchant's reply is returned.
func (s *Server) CompleteEKYC(requestID string) (*CallbackResult, error) {
	return s.settleEKYC(requestID, kycApproved, 0, "")
}

// RejectEKYC makes the identity verification requestID fail with failedCode and msg: it
// becomes REJECTED and ekyc.failed is POSTed to its notifyUrl.
func (s *Server) RejectEKYC(requestID string, failedCode int, msg string) (*CallbackResult, error) {
	return s.settleEKYC(requestID, kycRejected, failedCode, msg)
}

func (s *Server) settleEKYC(requestID, status string, failedCode int, msg string) (*CallbackResult, error) {
	s.mu.Lock()
	e := s.st.ekyc[requestID]
	if e == nil {
		s.mu.Unlock()
		return nil, notFound("eKYC request", requestID)
	}
	if e.status != statusPending {
		s.mu.Unlock()
		return nil, badState("eKYC request %q is already %s", requestID, e.status)
	}
	e.status, e.updated = status, s.now()
	name := "ekyc.success"
	if status == kycRejected {
		name = "ekyc.failed"
		e.failedCode, e.failedMessage = failedCode, msg
	}
	ev := obj{
		{"eventName", name},
		{"requestId", e.requestID},
		{"userId", e.userID},
		{"channelCode", e.channel},
		{"kycStatus", status},
		{"updateTime", wireTime(e.updated)},
	}
	if status == kycRejected {
		ev = append(ev, kv{"failedCode", failedCode}, kv{"failedMessage", msg})
	}
	url := e.notifyURL
	s.mu.Unlock()
	return s.deliver(name, url, ev), nil
}
