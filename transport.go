package paycools

// The HTTP exchange of one attempt: the request, its headers, whether its bytes may have left
// (the outcome of a failure), and the capped read of the answer.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"

	"github.com/google/go-querystring/query"
)

// newFlatRequest makes the HTTP request of a flat attempt: the body for POST, the query for
// GET.
func (c *Client) newFlatRequest(ctx context.Context, method, base string, wr wireRequest) (*http.Request, error) {
	var req *http.Request
	var err error
	if method == http.MethodGet {
		req, err = http.NewRequestWithContext(ctx, method, base+wr.path+"?"+wr.query, nil) // one concatenation
	} else {
		req, err = http.NewRequestWithContext(ctx, method, base+wr.path, bytes.NewReader(wr.body))
	}
	if err != nil {
		return nil, err
	}
	c.setHeaders(req)
	return req, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func (c *Client) newRequest(ctx context.Context, method, u string, param []byte, sign string) (*http.Request, error) {
	var req *http.Request
	var err error
	if method == http.MethodGet && getSendsQueryString {
		v, qerr := query.Values(envelope{AppID: c.appID, Param: string(param), Sign: sign})
		if qerr != nil {
			return nil, qerr
		}
		req, err = http.NewRequestWithContext(ctx, method, u+"?"+v.Encode(), nil)
	} else {
		// Room for the whole body at once: the three values, a backslash for every quote and
		// backslash of param, and the names and punctuation.
		body := make([]byte, 0, len(c.appID)+len(param)+len(sign)+40+
			bytes.Count(param, []byte(`"`))+bytes.Count(param, []byte(`\`)))
		body = appendEnvelope(body, c.appID, param, sign)
		req, err = http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	}
	if err != nil {
		return nil, err
	}
	c.setHeaders(req)
	return req, nil
}

// setHeaders sets Accept, User-Agent and, with a body, Content-Type.
func (c *Client) setHeaders(req *http.Request) {
	// The header values share one backing array, one allocation instead of one per header
	// (Header.Set allocates a []string each). The keys are already canonical. Each slice has
	// its capacity cut to 1, so an Add by a RoundTripper copies instead of overwriting the next.
	vals := make([]string, 3)
	vals[0], vals[1], vals[2] = "application/json", c.userAgent, "application/json"
	req.Header["Accept"] = vals[0:1:1]
	req.Header["User-Agent"] = vals[1:2:2]
	if req.Body != nil {
		req.Header["Content-Type"] = vals[2:3:3]
	}
}

// readCapped reads at most max bytes. A longer body gives errBodyTooLarge (and the bytes
// read); the rest is not drained, so the connection is dropped rather than reading megabytes.
func readCapped(r io.Reader, max int64) ([]byte, error) {
	// io.ReadAll(io.LimitReader(r, max+1)) without the LimitReader allocation.
	b := make([]byte, 0, min(512, max+1))
	for {
		lim := int64(cap(b))
		if lim > max+1 {
			lim = max + 1
		}
		n, err := r.Read(b[len(b):lim])
		b = b[:len(b)+n]
		if int64(len(b)) > max {
			return b[:max], errBodyTooLarge
		}
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// sentTrace is the client trace of one attempt with the flag it sets when a connection was
// obtained (after which the request may have been sent).
type sentTrace struct {
	trace httptrace.ClientTrace
	sent  atomic.Bool
}

var errBodyTooLarge = errors.New("response body over the size cap")
