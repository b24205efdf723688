package paycools_test

import (
	"log"
	"os"

	paycools "github.com/paycools-sdk/paycools-go"
)

// exampleClient builds a client for baseURL from the appId, the merchant private key and the
// PayCools platform public key kept in environment variables (PEM or the bare base64 the
// dashboard shows). No network is used until an operation is called.
func exampleClient(baseURL string) *paycools.Client {
	key, err := paycools.ParsePrivateKey([]byte(os.Getenv("PAYCOOLS_PRIVATE_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	platform, err := paycools.ParsePublicKey([]byte(os.Getenv("PAYCOOLS_PLATFORM_PUBLIC_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	c, err := paycools.NewClient(os.Getenv("PAYCOOLS_APP_ID"), key,
		paycools.WithBaseURL(baseURL),
		paycools.WithPlatformPublicKey(platform))
	if err != nil {
		log.Fatal(err)
	}
	return c
}
