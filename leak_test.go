package paycools

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Sensitive values planted in every request and answer of the leak test.
const (
	leakAccount = "1234567890123"
	leakMobile  = "09171234567"
	leakToken   = "TOKEN7f3a9c1d2e4b5a6c7d8e9f0a1b2c3d4e"
)

// TestNoSecretReachesLogsOrErrors runs every operation of the client through every error
// class (success, API error echoing an account number, HTML error page echoing the sign and an
// account number, transport failure, validation failure) with a logger that keeps everything,
// and asserts that no private key material, no sign value and no unmasked account number,
// mobile number or pay token appears in any log line or error string. Params are logged too,
// as a user would, to check their LogValue masking.
func TestNoSecretReachesLogsOrErrors(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := newFakeAPI(t, WithLogger(logger), WithRetries(1))
	var mu sync.Mutex
	var signs []string
	n := 0
	f.Transport.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		r := f.record(req)
		mu.Lock()
		signs = append(signs, r.Env.Sign)
		n++
		class := n % 4
		mu.Unlock()
		switch class {
		case 0:
			return httpmock.NewStringResponse(200, `{"code":10000,"message":"Success","data":{"accountNo":"`+leakAccount+`","mobile":"`+leakMobile+`","payToken":"`+leakToken+`"}}`), nil
		case 1:
			return httpmock.NewStringResponse(200, `{"code":21002,"message":"Request param error: accountNo `+leakAccount+` mobile `+leakMobile+`"}`), nil
		case 2:
			return httpmock.NewStringResponse(502, `<html>upstream said sign=`+r.Env.Sign+` for account `+leakAccount+`</html>`), nil
		default:
			return nil, errors.New("connection reset by peer after account " + leakAccount)
		}
	})
	keyText := string(readTestFile(t, "test_merchant_2048_pkcs8.b64"))
	cv := reflect.ValueOf(f.Client).Elem()
	calls := 0
	for i := 0; i < cv.NumField(); i++ {
		svc := cv.Field(i)
		if !cv.Type().Field(i).IsExported() || svc.Kind() != reflect.Pointer {
			continue
		}
		for j := 0; j < svc.NumMethod(); j++ {
			m := svc.Method(j)
			mt := m.Type()
			if mt.NumIn() != 2 || mt.In(1).Kind() != reflect.Pointer || mt.In(1).Elem().Kind() != reflect.Struct || mt.NumOut() != 2 {
				continue // Wait methods with extra arguments are covered by their Get, the iterators by the page call
			}
			for round := 0; round < 4; round++ {
				p := reflect.New(mt.In(1).Elem())
				fillForLeakTest(p.Elem())
				logger.Info("merchant logs its params", "params", p.Interface())
				ctx, cancel := context.WithCancel(context.Background())
				if strings.HasPrefix(svc.Type().Method(j).Name, "Wait") {
					cancel() // a Wait polls until final; one poll is enough here
				}
				out := m.Call([]reflect.Value{reflect.ValueOf(ctx), p})
				cancel()
				calls++
				if err, _ := out[1].Interface().(error); err != nil {
					assertNoSecret(t, "error of "+svc.Type().Method(j).Name, err.Error(), keyText, nil)
				}
			}
		}
	}
	// A validation failure, a bad callback and a handler error are error classes too.
	_, err := f.Client.Payouts.Create(context.Background(), &PayoutCreateParams{AccountNo: leakAccount + "x", PayMethodCode: PayMethodEWallet})
	require.Error(t, err)
	assertNoSecret(t, "validation error", err.Error(), keyText, nil)
	_, err = f.Client.ParseNotification([]byte(`{"param":"{\"accountNo\":\"` + leakAccount + `\"}","sign":"` + strings.Repeat("A", 342) + `=="}`))
	require.Error(t, err)
	assertNoSecret(t, "callback error", err.Error(), keyText, nil)

	assert.Greater(t, calls, 100, "every operation ran in every class")
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, signs)
	for _, line := range strings.Split(logs.String(), "\n") {
		assertNoSecret(t, "log line", line, keyText, signs)
	}
}

func assertNoSecret(t *testing.T, where, text, keyText string, signs []string) {
	t.Helper()
	for _, s := range []string{leakAccount, leakMobile, leakToken, "BEGIN PRIVATE", "BEGIN RSA"} {
		assert.NotContains(t, text, s, where)
	}
	for i := 0; i+40 <= len(keyText); i += 40 {
		if strings.Contains(text, keyText[i:i+40]) {
			t.Errorf("%s holds private key material: %s", where, text)
			break
		}
	}
	for _, s := range signs {
		if strings.Contains(text, s[:32]) {
			t.Errorf("%s holds a sign value: %s", where, text)
			break
		}
	}
}

// fillForLeakTest fills a params struct with plausible values, planting the sensitive ones
// where a field holds an account number, a mobile number or a pay token.
func fillForLeakTest(v reflect.Value) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf, fv := t.Field(i), v.Field(i)
		if !sf.IsExported() || sf.Name == "Timestamp" || sf.Name == "Extra" {
			continue
		}
		tag := sf.Tag.Get("pc")
		enum := ""
		for _, r := range strings.Split(tag, ",") {
			if strings.HasPrefix(r, "enum=") {
				enum = strings.Split(strings.TrimPrefix(r, "enum="), "|")[0]
			}
		}
		name := strings.ToLower(sf.Name)
		switch fv.Kind() {
		case reflect.String:
			switch {
			case enum != "":
				fv.SetString(enum)
			case strings.Contains(name, "accountno"):
				fv.SetString(leakAccount)
			case strings.Contains(name, "mobile"):
				fv.SetString(leakMobile)
			case strings.Contains(name, "token"):
				fv.SetString(leakToken)
			case strings.HasSuffix(name, "url") || strings.Contains(name, "logo"):
				fv.SetString("https://merchant.test/cb")
			case strings.Contains(name, "email"):
				fv.SetString("a@merchant.test")
			case strings.Contains(name, "date") || strings.Contains(name, "expiretime"):
				fv.SetString("2024-07-19")
			case strings.Contains(name, "country"):
				fv.SetString("PH")
			case strings.Contains(name, "currency"):
				fv.SetString("PHP")
			case strings.Contains(name, "name"):
				fv.SetString("Juan Dela Cruz")
			default:
				fv.SetString("ORD20240719001")
			}
		case reflect.Int, reflect.Int64, reflect.Int32:
			fv.SetInt(10000)
		case reflect.Struct:
			fillForLeakTest(fv)
		case reflect.Pointer:
			if fv.Type().Elem().Kind() == reflect.Struct {
				fv.Set(reflect.New(fv.Type().Elem()))
				fillForLeakTest(fv.Elem())
			}
		case reflect.Slice:
			el := reflect.New(fv.Type().Elem()).Elem()
			switch el.Kind() {
			case reflect.Struct:
				fillForLeakTest(el)
			case reflect.String:
				el.SetString("GCASH")
			default:
				continue
			}
			fv.Set(reflect.Append(reflect.MakeSlice(fv.Type(), 0, 1), el))
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}
