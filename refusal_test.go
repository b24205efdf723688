package paycools

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 23, "nothing silent": each value below was accepted without a word before; each is now
// a *ValidationError naming the field and what to do, and nothing reaches the host.

// problemOf returns the problem recorded for field ("" when none).
func problemOf(ve *ValidationError, field string) string {
	for _, f := range ve.Fields {
		if f.Field == field {
			return f.Problem
		}
	}
	return ""
}

// A field the PH dialect's flat row does not carry was dropped without a word (5.1's mobile:
// the open-api client refused a bad one, the PH client sent nothing and said nothing).
func TestPHRefusesASetFieldItDoesNotSend(t *testing.T) {
	c, w := newPHClient(t)
	p := fullQRCodeCreateParams()
	p.Email = "" // sent in PH; keep the case to the one unsent field
	_, err := c.QRCodes.Create(context.Background(), p)
	var ve *ValidationError
	require.True(t, errors.As(err, &ve), "want *ValidationError, got %T: %v", err, err)
	assert.Equal(t, OpQRCodeCreate, ve.Operation)
	require.True(t, ve.Has("mobile"), "%v", ve.Fields)
	msg := problemOf(ve, "mobile")
	assert.Contains(t, msg, "ph dialect")
	assert.Contains(t, msg, "does not send")
	assert.Contains(t, msg, "WithDialect")
	assert.False(t, ve.Has("remark") && ve.Has("expireSeconds") && ve.Has("callbackUrl"), "sent fields are not refused: %v", ve.Fields)
	assert.Zero(t, w.count(), "nothing is sent")

	// A renamed field (notifyUrl goes out as callbackUrl) is sent, so it is not refused, and a
	// field the open-api dialect requires (countryCode of 2.1) is not refused either: code
	// written for both dialects sets it.
	p.Mobile = ""
	w.answer("POST", "/api/v1/qrcode", `{"code":1000,"message":"success","data":{"mchOrderId":"CCP20220428011068111","qrcodeId":"Q1","status":"ACTIVE"}}`)
	_, err = c.QRCodes.Create(context.Background(), p)
	require.NoError(t, err)
	w.answer("GET", "/api/v1/account/checkBalance", `{"code":1000,"message":"success","data":[]}`)
	_, err = c.Account.Balance(context.Background(), &AccountBalanceParams{CountryCode: CountryPH})
	require.NoError(t, err)

	// The rule is the route row's, for every flat operation: 7.1's payToken is not sent by PH.
	wp := wpCreateParams()
	_, err = c.WebPayments.Create(context.Background(), wp)
	require.True(t, errors.As(err, &ve), "%v", err)
	assert.True(t, ve.Has("payToken"), "%v", ve.Fields)
	assert.False(t, ve.Has("terminalType"), "the open-api dialect needs terminalType: PH warns instead: %v", ve.Fields)
}

// The open-api client checks a mobile of letters; so does the PH client where it sends one.
func TestMobileOfLettersIsRefused(t *testing.T) {
	f := newFakeAPI(t)
	p := fullQRCodeCreateParams()
	p.Mobile = "O9I7I234567" // letters O and I typed for digits
	_, err := f.Client.QRCodes.Create(context.Background(), p)
	ve := requireInvalid(t, f, err, "mobile")
	assert.Contains(t, problemOf(ve, "mobile"), "digits only")

	co := coCreateParams()
	co.Mobile = "juan-mobile"
	_, err = f.Client.Checkout.Create(context.Background(), co)
	requireInvalid(t, f, err, "mobile")

	wp := wpCreateParams()
	wp.Mobile = "0917-123-4567"
	_, err = f.Client.WebPayments.Create(context.Background(), wp)
	requireInvalid(t, f, err, "mobile")
}

func TestEmailWithoutAtOrDottedDomainIsRefused(t *testing.T) {
	for _, bad := range []string{"juan.example.com", "juan@localhost", "juan@", "@example.com", "juan@example.", "juan @example.com", "a@b@example.com"} {
		t.Run(bad, func(t *testing.T) {
			f := newFakeAPI(t)
			p := fullQRCodeCreateParams()
			p.Email = bad
			_, err := f.Client.QRCodes.Create(context.Background(), p)
			ve := requireInvalid(t, f, err, "email")
			assert.Contains(t, problemOf(ve, "email"), "juan@example.com", "the message shows the expected form")

			co := coCreateParams()
			co.Email = bad
			_, err = f.Client.Checkout.Create(context.Background(), co)
			requireInvalid(t, f, err, "email")
		})
	}
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/qr/generate", qrCodeData)
	p := fullQRCodeCreateParams()
	p.Email = "juan.dela-cruz+shop@mail.example.com.ph"
	_, err := f.Client.QRCodes.Create(context.Background(), p)
	require.NoError(t, err)
}

func TestBankAccountNumberWithLettersIsRefused(t *testing.T) {
	for _, bad := range []string{"BDO1234567", "1234 5678 90", "1234-5678-90"} {
		f := newFakeAPI(t)
		p := fullCreatePayoutParams()
		p.PayMethodCode, p.TransferCode, p.AccountNo = PayMethodBank, "BDO", bad
		_, err := f.Client.Payouts.Create(context.Background(), p)
		ve := requireInvalid(t, f, err, "accountNo")
		msg := problemOf(ve, "accountNo")
		assert.Contains(t, msg, "digits only")
		assert.Contains(t, msg, "BANK")
		assert.NotContains(t, ve.Error(), bad, "the account number is not echoed")
	}
	// SCANQR carries QR content, which has letters.
	f := newFakeAPI(t)
	f.replyData("POST", pathPayoutCreate, payoutCreateData)
	p := fullCreatePayoutParams()
	p.PayMethodCode, p.AccountNo = PayMethodScanQR, "00020101021128ABC"
	_, err := f.Client.Payouts.Create(context.Background(), p)
	require.NoError(t, err)
}

func TestCountryAndCurrencyMustGoTogether(t *testing.T) {
	f := newFakeAPI(t)
	co := coCreateParams()
	co.Currency = CurrencyIDR // PH with IDR
	_, err := f.Client.Checkout.Create(context.Background(), co)
	ve := requireInvalid(t, f, err, "currency")
	msg := problemOf(ve, "currency")
	assert.Contains(t, msg, "IDR")
	assert.Contains(t, msg, "PHP")
	assert.Len(t, ve.Fields, 1, "%v", ve.Fields)

	wp := wpCreateParams()
	wp.CountryCode, wp.Currency = CountryTH, CurrencyMYR
	_, err = f.Client.WebPayments.Create(context.Background(), wp)
	ve = requireInvalid(t, f, err, "currency")
	assert.Contains(t, problemOf(ve, "currency"), "THB")
}

func TestCheckoutChannelCodeListRefusesAWalletName(t *testing.T) {
	f := newFakeAPI(t)
	co := coCreateParams()
	co.ChannelCodeList = []string{"PH_GCASH_URL", "GCASH"}
	_, err := f.Client.Checkout.Create(context.Background(), co)
	ve := requireInvalid(t, f, err, "channelCodeList[1]")
	msg := problemOf(ve, "channelCodeList[1]")
	assert.Contains(t, msg, "wallet")
	assert.Contains(t, msg, "Checkout.Channels")
	assert.False(t, ve.Has("channelCodeList[0]"), "a channel code is accepted: %v", ve.Fields)
	assert.True(t, strings.Contains(msg, "PH_GCASH"), "the message shows a channel code: %s", msg)
}
