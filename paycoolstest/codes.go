package paycoolstest

import "fmt"

// Response codes the gateway answers with (docs/codes.md). The gateway keeps its own copy of the
// messages, as PayCools sends them, so that it does not depend on the SDK's table.
const (
	codeSuccess            = 10000
	codeServer             = 21000
	codeSign               = 21001
	codeParam              = 21002
	codeAppID              = 21003
	codeChannelUnavailable = 21005
	codeNotFound           = 21006
	codeDuplicateOrder     = 21007
	codeTimestamp          = 21008
	codeTimestampExpired   = 21009
	codeAmountLimit        = 21010
	codeBankCode           = 21012
	codeWalletCode         = 21013
	codeBalance            = 21014
	codeDuplicateIdem      = 21015
	codeTransferCode       = 21018
	codePayMethodCode      = 21019
	codeAccessToken        = 21024
	codeCancelNotAllowed   = 21025
	codePaidOrClosed       = 21028
	codeRefundTooOld       = 21403
	codeRefundAmount       = 21406
	codeDuplicateRefund    = 21407
	codeOriginalNotDone    = 21408
	codeRefundPending      = 21409
)

// messages is every documented response code with the text PayCools sends (docs/codes.md §1–§4).
// An injected fault without a Message answers with the text of its code.
var messages = map[int]string{
	10000: "Success",
	1000:  "success",
	1:     "success",
	21000: "Server error, Please try again later.",
	21001: "Request sign error",
	21002: "Request param error",
	21003: "Request appId error",
	21004: "Merchant is unavailable",
	21005: "Merchant channel is unavailable",
	21006: "Merchant transaction not found",
	21007: "Duplicate merchant order id",
	21008: "Request timestamp error",
	21009: "Request timestamp error",
	21010: "The amount exceeds the limit",
	21011: "Network error",
	21012: "Request bank code error",
	21013: "Request wallet code error",
	21014: "Merchant balance insufficient",
	21015: "Duplicate idempotencyId",
	21016: "Merchant ip forbidden",
	21017: "Merchant has not opened this national service",
	21018: "Request transfer code error",
	21019: "Request pay method code error",
	21020: "Too many requests, please retry later.",
	21021: "Transaction Amount Invalid",
	21022: "Transaction Volume Limit",
	21023: "Transaction create failed",
	21024: "Invalid access token",
	21025: "Not allowed to cancel",
	21026: "Customer Balance not enough",
	21027: "Transaction creation exceeds limit",
	21028: "Transaction already paid or closed",
	21401: "Refund is processing",
	21402: "Not allowed to refund",
	21403: "Transactions 60 days ago cannot initiate refunds",
	21404: "The original transaction channel not support full refund",
	21405: "The original transaction channel not support partial refund",
	21406: "Refund amount invalid",
	21407: "MchRefundOrderId is repeat",
	21408: "The original transaction is not completed",
	21409: "The original transaction already exist pending refund",
	21500: "Original transaction status is not success",
	21501: "Cannot reverse",
	21502: "Original transaction has been settled",
	21503: "Cannot void over the day",
	21504: "Original tran",
	1001:  "merchant appid is invalid",
	1002:  "merchant white ip forbidden",
	1003:  "request sign is invalid",
	1004:  "merchant unavailable",
	1005:  "merchant institute unavailable",
	1006:  "merchant balance insufficient",
	1007:  "transaction exceed limit",
	1008:  "transaction not found",
	1009:  "request params invalid(pls refer to the specific return message)",
	1010:  "request bank name invalid",
	1011:  "merchant channel unavailable",
	1012:  "merchant order id is repeat",
	1013:  "merchant access frequency limit",
	1014:  "merchant payout idempoteny repeat",
	1015:  "request email invalid",
	1016:  "request ewallet name invalid",
	1017:  "the static virtual account exist",
	1018:  "network failed, please retry",
	1019:  "the bank transfer account exist",
	1020:  "dynamic qrcode amount is null",
	1501:  "The original transaction Id not exist",
	1502:  "Refund is processing",
	1503:  "System error, please contract Paycools",
	1504:  "AppId is not match",
	1505:  "Refund is not allow",
	1506:  "The refund amount is greater than the amount that can be refunded",
	1507:  "The original transaction channel does not support refunds",
	1508:  "The original transaction channel only allows one refund to be initiated",
	1509:  "Transactions 60 days ago cannot initiate refunds",
	1510:  "The original transaction channel not support refund",
	1511:  "The original transaction channel not support partial refund",
	1512:  "The full refund transaction amount must be the same as the original transaction",
	1513:  "Refund amount invalid",
	1515:  "Merchant refund order id is repeat",
	1516:  "The original transaction is not completed",
}

// Message returns the text PayCools sends with a response code (docs/codes.md), or "" for a code
// the contract does not list.
func Message(code int) string { return messages[code] }

// apiError is a refusal the gateway answers with.
type apiError struct {
	code    int
	message string
}

// refuse answers code with its documented message.
func refuse(code int) *apiError { return &apiError{code, messages[code]} }

// paramError answers 21002 with a message that names the field.
func paramError(field, format string, a ...any) *apiError {
	return &apiError{codeParam, messages[codeParam] + ": " + field + " " + fmt.Sprintf(format, a...)}
}
