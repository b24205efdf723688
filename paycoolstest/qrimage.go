package paycoolstest

// qrDataURL is a data: URL of a PNG QR code of text; "" when text does not fit.
func qrDataURL(text string) string { return "" }
