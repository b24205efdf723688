package paycools

import "encoding/json"

// EventPaymentVerification is the eventName of the repayment verification question (doc 4.6).
const EventPaymentVerification = "payment.verification"

// BillsPaymentChannelCode is a static virtual account channel (an open set: unknown values are
// kept).
type BillsPaymentChannelCode string

// RepaymentVerification is PayCools' question (doc 4.6): may this payment into a static
// virtual account be collected? Answer it with Client.RepaymentVerificationHandler.
type RepaymentVerification struct {
	// EventName is "payment.verification".
	EventName string `json:"eventName"`
	// MchOrderID is the merchant's id of the virtual account group being paid.
	MchOrderID string `json:"mchOrderId"`
	// ChannelCode is the channel the payer is using (open-api edition; absent on PH).
	ChannelCode BillsPaymentChannelCode `json:"channelCode"`
	// ReferenceNumber is the reference the payer entered (PH: customer contract number).
	ReferenceNumber string `json:"referenceNumber"`
	// Amount is what the payer wants to pay, in minor units (centavos); 0 when PayCools did not
	// send it (some channels).
	Amount Amount `json:"amount"`
	// Mobile is the payer's mobile number.
	Mobile string `json:"mobile"`
	// CreateTime is when PayCools asked.
	CreateTime Time `json:"createTime"`
	// Raw is the verified param.
	Raw json.RawMessage `json:"-"`
}

// RepaymentRefusal is a decided refusal of a repayment verification, returned as the error of
// the RepaymentVerificationHandler function. It is not a failure: the reply is HTTP 200 with
// its Code (VerificationRefused, VerificationRefusedInvalidParam or
// VerificationRefusedAmountLimit; any other code is sent as VerificationRefused) and Message.
type RepaymentRefusal struct {
	// Code is the refusal code sent to PayCools.
	Code int
	// Message is the text sent to PayCools, e.g. "unknown reference number".
	Message string
}

// Error describes the refusal.
func (r *RepaymentRefusal) Error() string {
	return "paycools: repayment refused (" + itoa(r.Code) + "): " + r.Message
}

func init() {
	registerEvent[RepaymentVerification](EventPaymentVerification)
}
