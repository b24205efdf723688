package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

// The payer used throughout (PayCools wants a name, an email and a 09 mobile number).
const (
	payerName   = "Juan Dela Cruz"
	payerEmail  = "juan.delacruz@example.com"
	payerMobile = "09171234567"
	returnURL   = "https://merchant.example.com/paycools/return" // where browsers come back
)

// phDays returns yesterday and today in Philippine time, yyyy-MM-dd: the date range of the
// list operations.
func phDays() (string, string) {
	now := time.Now().In(time.FixedZone("PHT", 8*3600))
	return now.AddDate(0, 0, -1).Format("2006-01-02"), now.Format("2006-01-02")
}

// accountBefore reads the balance that payouts draw on.
func (t *tour) accountBefore(ctx context.Context) error {
	b, err := t.c.Account.Balance(ctx, &paycools.AccountBalanceParams{CountryCode: paycools.CountryPH})
	if err != nil {
		return fmt.Errorf("balance: %w", err)
	}
	t.line(famAccount, "balance", "%s available for payouts", php(b.Balance))
	return nil
}

// accountAfter reads the balance again and today's statements, which now hold the tour's
// collections and payout.
func (t *tour) accountAfter(ctx context.Context) error {
	b, err := t.c.Account.Balance(ctx, nil) // nil params: PH
	if err != nil {
		return fmt.Errorf("balance: %w", err)
	}
	t.line(famAccount, "balance", "%s after the tour", php(b.Balance))
	_, today := phDays()
	// Every page of each statement, fetched as the loop goes.
	var in paycools.Amount
	nIn := 0
	for r, err := range t.c.Account.PaymentStatementRecords(ctx, &paycools.AccountPaymentStatementParams{CreateDate: today}) {
		if err != nil {
			return fmt.Errorf("payment statement: %w", err)
		}
		in += r.Amount
		nIn++
	}
	t.line(famAccount, "statement", "payments created %s: %d record(s), %s", today, nIn, php(in))
	var out paycools.Amount
	nOut := 0
	for r, err := range t.c.Account.PayoutStatementRecords(ctx, &paycools.AccountPayoutStatementParams{CreateDate: today}) {
		if err != nil {
			return fmt.Errorf("payout statement: %w", err)
		}
		out += r.Amount
		nOut++
	}
	t.line(famAccount, "statement", "payouts created %s: %d record(s), %s", today, nOut, php(out))
	return nil
}

// payouts sends money to a bank account. Its callback goes to the dashboard callback URL.
func (t *tour) payouts(ctx context.Context) error {
	id := t.id("PO")
	p, err := t.c.Payouts.Create(ctx, &paycools.PayoutCreateParams{
		MchOrderID:    id, // IdempotencyID defaults to it
		Amount:        50010,
		PayMethodCode: paycools.PayMethodBank,
		TransferCode:  "BDO",
		AccountNo:     "001234567890",
		AccountName:   payerName,
		Remark:        "quickstart payout",
	})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	t.line(famPayouts, "create", "%s %s to BDO %s: %s (%s)", id, php(50010),
		paycools.MaskAccountNumber("001234567890"), p.TransactionStatus, p.TransactionID)
	res, err := t.drive(famPayouts, "the bank credits the account", func() (*paycoolstest.CallbackResult, error) {
		return t.gw.CompletePayout(id)
	})
	if err != nil {
		return err
	}
	if err := t.callback(famPayouts, paycools.EventDisbursementSuccess, res); err != nil {
		return err
	}
	got, err := t.c.Payouts.Get(ctx, &paycools.PayoutGetParams{MchOrderID: id})
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	t.line(famPayouts, "get", "%s %s %s", got.MchOrderID, php(got.Amount), got.TransactionStatus)
	return t.wait(ctx, famPayouts, func(ctx context.Context) (string, error) {
		w, err := t.c.Payouts.Wait(ctx, &paycools.PayoutGetParams{MchOrderID: p.MchOrderID})
		if w == nil {
			return "", err
		}
		return fmt.Sprintf("%s %s", w.MchOrderID, w.TransactionStatus), err
	})
}

// billsPayment opens a static virtual account for a bill, answers the repayment verification
// question twice (refuse too much, accept the amount due), receives the payment and lists it.
func (t *tour) billsPayment(ctx context.Context) error {
	id := t.id("VA")
	const due paycools.Amount = 125000
	t.mu.Lock()
	t.due[id] = due
	t.mu.Unlock()
	va, err := t.c.BillsPayment.CreateVirtualAccount(ctx, &paycools.VirtualAccountCreateParams{
		MchOrderID:   id,
		CustomerName: payerName,
		ChannelCode:  paycools.BillsPaymentChannelCodeGCashStaticVA,
		NotifyURL:    t.notifyURL,
		Email:        payerEmail,
		Mobile:       payerMobile,
		Remark:       "loan repayment",
	})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	t.line(famBills, "create", "%s on %s: pay biller %q, reference %s (%s), %s due",
		id, va.ChannelCode, va.Biller, va.ReferenceNumber, va.Status, php(due))

	if t.gw == nil {
		t.line(famBills, "verify?", "skipped (real host): PayCools asks the verification URL of your dashboard")
	} else {
		// The payer tries to pay more than is due: PayCools asks first, the handler refuses.
		res, err := t.drive(famBills, "the payer offers "+php(200000)+" at the counter", func() (*paycoolstest.CallbackResult, error) {
			return t.gw.PayVirtualAccount(id, 200000)
		})
		if !errors.Is(err, paycoolstest.ErrRefused) {
			return fmt.Errorf("a payment above the amount due was not refused (err %v)", err)
		}
		if err := t.question(famBills, res); err != nil {
			return err
		}
	}
	res, err := t.drive(famBills, "the payer pays "+php(due), func() (*paycoolstest.CallbackResult, error) {
		return t.gw.PayVirtualAccount(id, due)
	})
	if err != nil {
		return err
	}
	if t.gw != nil {
		if err := t.question(famBills, nil); err != nil {
			return err
		}
	}
	if err := t.callback(famBills, paycools.EventPaymentSuccess, res); err != nil {
		return err
	}
	from, to := phDays()
	list, err := t.c.BillsPayment.ListPayments(ctx, &paycools.VirtualAccountListPaymentsParams{MchOrderID: id, StartDate: from, EndDate: to})
	if err != nil {
		return fmt.Errorf("list payments: %w", err)
	}
	for _, p := range list.Payments {
		t.line(famBills, "list", "%s %s via %s %s", p.TransactionID, php(p.TransactionAmount), p.ChannelCode, p.TransactionStatus)
	}
	if len(list.Payments) == 0 {
		t.line(famBills, "list", "no payments yet")
	}
	cancel := &paycools.VirtualAccountCancelParams{MchOrderID: id, ChannelCode: va.ChannelCode}
	if t.c.Dialect() == paycools.DialectPH {
		cancel.ChannelCode = "" // the PH host cancels every channel of the order, and takes none
	}
	c, err := t.c.BillsPayment.CancelVirtualAccount(ctx, cancel)
	if err != nil {
		return fmt.Errorf("cancel: %w", err)
	}
	t.line(famBills, "cancel", "%s on %s is now %s: it takes no more payments", id, c.ChannelCode, c.Status)
	return nil
}

// qrCodes issues a dynamic QR Ph code for a fixed amount, has it paid, and reads it back.
func (t *tour) qrCodes(ctx context.Context) error {
	id := t.id("QR")
	qr, err := t.c.QRCodes.Create(ctx, &paycools.QRCodeCreateParams{
		ChannelCode:   paycools.QRChannelCodeQRPHDynamicQR,
		MchOrderID:    id,
		Amount:        15000,
		NotifyURL:     t.notifyURL,
		CustomerName:  payerName,
		Email:         payerEmail,
		Remark:        "table 12",
		ExpireSeconds: 600,
	})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	t.line(famQR, "create", "%s %s %s: %d-character QR Ph payload, page %s", id, qr.ChannelCode, php(qr.Amount), len(qr.QRCodeContent), qr.QRLink)
	res, err := t.drive(famQR, "the payer scans and pays "+php(15000), func() (*paycoolstest.CallbackResult, error) {
		return t.gw.PayQRCode(id, 0) // 0: the QR's own amount
	})
	if err != nil {
		return err
	}
	if err := t.callback(famQR, paycools.EventQRCodePaymentSuccess, res); err != nil {
		return err
	}
	got, err := t.c.QRCodes.Get(ctx, &paycools.QRCodeGetParams{MchOrderID: id})
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	t.line(famQR, "get", "%s QR %s, payment %s", id, got.Status, got.TransactionStatus)
	from, to := phDays()
	list, err := t.c.QRCodes.ListPayments(ctx, &paycools.QRCodeListPaymentsParams{MchOrderID: id, StartDate: from, EndDate: to})
	if err != nil {
		return fmt.Errorf("list payments: %w", err)
	}
	t.line(famQR, "list", "%d payment(s) on %s (QR codes have no Wait: use the callback or Get)", len(list.Payments), id)
	return nil
}

// bankTransfers opens an InstaPay account for a customer, receives a transfer into it and
// lists it. The callback goes to the dashboard callback URL: these accounts have no notifyUrl.
func (t *tour) bankTransfers(ctx context.Context) error {
	id := t.id("BT")
	accts, err := t.c.BankTransfers.BatchCreateAccounts(ctx, &paycools.BankTransferBatchCreateParams{
		AppName:      "Quickstart Shop",
		MchOrderID:   id,
		ChannelCode:  paycools.BankTransferChannelCodeInstaTransferAcc,
		CustomerName: payerName,
		Email:        payerEmail,
		Mobile:       payerMobile,
		MinAmount:    10000,
		MaxAmount:    5000000,
	})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	for _, a := range accts.PaymentAccountList {
		t.line(famBank, "create", "%s: transfer to %s account %s (%s)", id, a.ReceivingBank,
			paycools.MaskAccountNumber(a.AccountNumber), a.ChannelCode)
	}
	res, err := t.drive(famBank, "the customer transfers "+php(300000), func() (*paycoolstest.CallbackResult, error) {
		return t.gw.PayBankTransfer(id, 300000)
	})
	if err != nil {
		return err
	}
	if err := t.callback(famBank, paycools.EventTransferPaymentSuccess, res); err != nil {
		return err
	}
	from, to := phDays()
	list, err := t.c.BankTransfers.ListPayments(ctx, &paycools.BankTransferListPaymentsParams{MchOrderID: id, StartDate: from, EndDate: to})
	if err != nil {
		return fmt.Errorf("list payments: %w", err)
	}
	for _, p := range list.Payments {
		t.line(famBank, "list", "%s %s %s", p.TransactionID, php(p.TransactionAmount), p.TransactionStatus)
	}
	if len(list.Payments) == 0 {
		t.line(famBank, "list", "no transfers yet")
	}
	return nil
}

// webPayments lists the channels, creates a GCash payment link, has it paid, and waits for it.
// The payment is refunded in the next step.
func (t *tour) webPayments(ctx context.Context) error {
	chans, err := t.c.WebPayments.Channels(ctx, &paycools.WebPaymentChannelsParams{CountryCode: paycools.CountryPH})
	if err != nil {
		return fmt.Errorf("channels: %w", err)
	}
	t.line(famWeb, "channels", "%d channels open in PH", len(chans.List))
	id := t.id("WP")
	wp, err := t.c.WebPayments.Create(ctx, &paycools.WebPaymentCreateParams{
		MchOrderID:   id,
		Amount:       49900,
		CountryCode:  paycools.CountryPH,
		Currency:     paycools.CurrencyPHP,
		ChannelType:  paycools.WebPaymentChannelTypeEWallet,
		ChannelCode:  paycools.WebPaymentChannelCodeGCashURL,
		CustomerName: payerName,
		Email:        payerEmail,
		Mobile:       payerMobile,
		TerminalType: paycools.TerminalTypeWeb,
		NotifyURL:    t.notifyURL,
		RedirectURL:  returnURL,
		Remark:       "order 1001",
	})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	t.line(famWeb, "create", "%s %s %s: send the payer to %s", id, php(wp.Amount), wp.TransactionStatus, wp.PaymentURL())
	res, err := t.drive(famWeb, "the payer pays in GCash", func() (*paycoolstest.CallbackResult, error) {
		return t.gw.CompleteWebPayment(id)
	})
	if err != nil {
		return err
	}
	if err := t.callback(famWeb, paycools.EventH5PaymentSuccess, res); err != nil {
		return err
	}
	get := &paycools.WebPaymentGetParams{MchOrderID: id, TransactionID: wp.TransactionID, CountryCode: paycools.CountryPH}
	got, err := t.c.WebPayments.Get(ctx, get)
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	t.line(famWeb, "get", "%s %s %s (%s)", id, php(got.Amount), got.TransactionStatus, got.TransactionID)
	return t.wait(ctx, famWeb, func(ctx context.Context) (string, error) {
		w, err := t.c.WebPayments.Wait(ctx, get)
		if w == nil {
			return "", err
		}
		if w.TransactionStatus == paycools.TransactionStatusCompleted {
			t.paidTxID, t.paid = w.TransactionID, w.Amount
		}
		return fmt.Sprintf("%s %s", id, w.TransactionStatus), err
	})
}

// refunds gives part of the web payment back.
func (t *tour) refunds(ctx context.Context) error {
	if t.paidTxID == "" {
		t.line(famRefunds, "skipped", "no completed payment to refund (the web payment was not paid during the run)")
		return nil
	}
	id := t.id("RF")
	const amount paycools.Amount = 10000
	r, err := t.c.Refunds.Create(ctx, &paycools.RefundCreateParams{
		MchRefundOrderID:      id,
		OriginalTransactionID: t.paidTxID,
		RefundAmount:          amount,
		RefundReason:          "one item out of stock",
		RefundCallbackURL:     t.notifyURL,
	})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	t.line(famRefunds, "create", "%s: %s of the %s payment %s: %s", id, php(r.RefundAmount), php(t.paid), t.paidTxID, r.RefundStatus)
	res, err := t.drive(famRefunds, "the wallet returns the money", func() (*paycoolstest.CallbackResult, error) {
		return t.gw.CompleteRefund(id)
	})
	if err != nil {
		return err
	}
	if err := t.callback(famRefunds, paycools.EventRefundSuccess, res); err != nil {
		return err
	}
	list, err := t.c.Refunds.ListPayments(ctx, &paycools.RefundListPaymentsParams{OriginalTransactionID: t.paidTxID})
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	for _, x := range list.Refunds {
		t.line(famRefunds, "list", "%s %s %s", x.MchRefundOrderID, php(x.RefundAmount), x.RefundStatus)
	}
	return t.wait(ctx, famRefunds, func(ctx context.Context) (string, error) {
		w, err := t.c.Refunds.Wait(ctx, &paycools.RefundWaitParams{RefundTransactionID: r.RefundTransactionID, MchRefundOrderID: id})
		if w == nil {
			return "", err
		}
		return fmt.Sprintf("%s %s", id, w.RefundStatus), err
	})
}

// checkout creates a hosted checkout order, has it paid, and waits for it.
func (t *tour) checkout(ctx context.Context) error {
	chans, err := t.c.Checkout.Channels(ctx, &paycools.CheckoutChannelsParams{CountryCode: paycools.CountryPH})
	if err != nil {
		return fmt.Errorf("channels: %w", err)
	}
	t.line(famCheckout, "channels", "%d channels the checkout page can offer in PH", len(chans.List))
	id := t.id("CO")
	co, err := t.c.Checkout.Create(ctx, &paycools.CheckoutCreateParams{
		MchOrderID:         id,
		CountryCode:        paycools.CountryPH,
		Currency:           paycools.CurrencyPHP,
		SettlementCurrency: paycools.CurrencyPHP,
		Amount:             129900,
		CustomerName:       payerName,
		Email:              payerEmail,
		Mobile:             payerMobile,
		ExpireSeconds:      1800,
		NotifyURL:          t.notifyURL,
		RedirectURL:        returnURL,
		Remark:             "cart 77",
	})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	t.line(famCheckout, "create", "%s %s: send the payer to %s", id, co.TransactionStatus, co.CheckoutURL)
	res, err := t.drive(famCheckout, "the payer pays "+php(129900)+" on the checkout page", func() (*paycoolstest.CallbackResult, error) {
		return t.gw.PayCheckout(id)
	})
	if err != nil {
		return err
	}
	if err := t.callback(famCheckout, paycools.EventCheckoutPaymentSuccess, res); err != nil {
		return err
	}
	get := &paycools.CheckoutGetParams{MchOrderID: id, CheckoutID: co.CheckoutID}
	got, err := t.c.Checkout.Get(ctx, get)
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	via := ""
	if got.ChannelCode != "" {
		via = " via " + got.ChannelCode
	}
	t.line(famCheckout, "get", "%s %s %s%s", id, php(got.Amount), got.TransactionStatus, via)
	return t.wait(ctx, famCheckout, func(ctx context.Context) (string, error) {
		w, err := t.c.Checkout.Wait(ctx, get)
		if w == nil {
			return "", err
		}
		return fmt.Sprintf("%s %s", id, w.TransactionStatus), err
	})
}

// directDebit links a user's GCash wallet (authorization), charges it with the pay token,
// and revokes the token.
func (t *tour) directDebit(ctx context.Context) error {
	user, reqID := t.id("U"), t.id("DA")
	link, err := t.c.DirectDebit.CreateAuthorizationLink(ctx, &paycools.DirectDebitAuthorizationLinkCreateParams{
		RequestID:    reqID,
		UserID:       user,
		ChannelCode:  paycools.DirectDebitChannelCodeGCash,
		CountryCode:  paycools.CountryPH,
		TerminalType: paycools.TerminalTypeWeb,
		NotifyURL:    t.notifyURL,
		RedirectURL:  returnURL,
	})
	if err != nil {
		return fmt.Errorf("authorization link: %w", err)
	}
	t.line(famDirectDebit, "link", "user %s authorizes GCash auto-debit at %s", user, link.AuthURL)
	res, err := t.drive(famDirectDebit, "the user approves in GCash", func() (*paycoolstest.CallbackResult, error) {
		return t.gw.ApproveAuthorization(reqID)
	})
	if err != nil {
		return err
	}
	if err := t.callback(famDirectDebit, paycools.EventTokenCreateSuccess, res); err != nil {
		return err
	}
	authGet := &paycools.DirectDebitAuthorizationGetParams{UserID: user}
	held, err := t.c.DirectDebit.GetAuthorization(ctx, authGet)
	if err != nil {
		return fmt.Errorf("get authorization: %w", err)
	}
	t.line(famDirectDebit, "get", "user %s holds %d token(s), active on GCash: %v",
		user, len(held.TokenList), held.ActiveToken(paycools.DirectDebitChannelCodeGCash) != nil)
	var auths *paycools.DirectDebitAuthorizations
	if err := t.wait(ctx, famDirectDebit, func(ctx context.Context) (string, error) {
		a, err := t.c.DirectDebit.WaitAuthorization(ctx, &paycools.DirectDebitAuthorizationWaitParams{
			UserID: authGet.UserID, ChannelCode: paycools.DirectDebitChannelCodeGCash,
		})
		auths = a
		if a == nil {
			return "", err
		}
		return fmt.Sprintf("user %s holds %d token(s)", user, len(a.TokenList)), err
	}); err != nil {
		return err
	}
	var tok *paycools.DirectDebitToken
	if auths != nil {
		tok = auths.ActiveToken(paycools.DirectDebitChannelCodeGCash)
	}
	if tok == nil {
		t.line(famDirectDebit, "skipped", "no active token (nobody approved at the link during the run): no charge")
		return nil
	}
	t.line(famDirectDebit, "token", "%s %s until %s", paycools.MaskAccountNumber(tok.PayToken), tok.TokenStatus, tok.ExpiresTime.Format("2006-01-02"))

	id := t.id("DD")
	pay, err := t.c.DirectDebit.CreatePayment(ctx, &paycools.DirectDebitPaymentCreateParams{
		MchOrderID:  id,
		Amount:      29900,
		ChannelCode: paycools.DirectDebitChannelCodeGCash,
		PayToken:    tok.PayToken,
		NotifyURL:   t.notifyURL,
		Remark:      "monthly plan",
	})
	if err != nil {
		return fmt.Errorf("charge: %w", err)
	}
	t.line(famDirectDebit, "charge", "%s %s: %s (%s)", id, php(29900), pay.TransactionStatus, pay.TransactionID)
	res, err = t.drive(famDirectDebit, "the wallet debits the user", func() (*paycoolstest.CallbackResult, error) {
		return t.gw.CompleteDirectDebitPayment(id)
	})
	if err != nil {
		return err
	}
	if err := t.callback(famDirectDebit, paycools.EventDirectDebitSuccess, res); err != nil {
		return err
	}
	get := &paycools.DirectDebitPaymentGetParams{MchOrderID: id, TransactionID: pay.TransactionID}
	got, err := t.c.DirectDebit.GetPayment(ctx, get)
	if err != nil {
		return fmt.Errorf("get payment: %w", err)
	}
	t.line(famDirectDebit, "get", "%s %s %s", id, php(got.Amount), got.TransactionStatus)
	if err := t.wait(ctx, famDirectDebit, func(ctx context.Context) (string, error) {
		w, err := t.c.DirectDebit.WaitPayment(ctx, get)
		if w == nil {
			return "", err
		}
		return fmt.Sprintf("%s %s", id, w.TransactionStatus), err
	}); err != nil {
		return err
	}

	cancel, err := t.c.DirectDebit.CancelAuthorization(ctx, &paycools.DirectDebitAuthorizationCancelParams{UserID: user, PayToken: tok.PayToken})
	if err != nil {
		return fmt.Errorf("cancel authorization: %w", err)
	}
	t.line(famDirectDebit, "cancel", "token %s %s (%s)", paycools.MaskAccountNumber(tok.PayToken), cancel.TokenStatus, cancel.InactiveType)
	if t.gw == nil {
		return nil
	}
	// The gateway sends token.cancel.success right after answering the cancel.
	return t.received(famDirectDebit, paycools.EventTokenCancelSuccess, "verified")
}

// ekyc starts an identity verification, has the user pass it, and waits for the result.
func (t *tour) ekyc(ctx context.Context) error {
	user, reqID := t.id("U"), t.id("KY")
	s, err := t.c.EKYC.Init(ctx, &paycools.EKYCInitParams{
		RequestID:   reqID,
		UserID:      user,
		ChannelCode: t.ekycChan,
		NotifyURL:   t.notifyURL,
		RedirectURL: returnURL,
	})
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	t.line(famEKYC, "init", "%s: user %s verifies at %s", reqID, user, s.EKYCURL)
	res, err := t.drive(famEKYC, "the user passes the identity check", func() (*paycoolstest.CallbackResult, error) {
		return t.gw.CompleteEKYC(reqID)
	})
	if err != nil {
		return err
	}
	if err := t.callback(famEKYC, paycools.EventEKYCSuccess, res); err != nil {
		return err
	}
	get := &paycools.EKYCResultGetParams{RequestID: reqID, UserID: user}
	got, err := t.c.EKYC.GetResult(ctx, get)
	if err != nil {
		return fmt.Errorf("get result: %w", err)
	}
	t.line(famEKYC, "get", "%s %s", reqID, got.KYCStatus)
	return t.wait(ctx, famEKYC, func(ctx context.Context) (string, error) {
		w, err := t.c.EKYC.WaitResult(ctx, get)
		if w == nil {
			return "", err
		}
		return fmt.Sprintf("%s %s", reqID, w.KYCStatus), err
	})
}
