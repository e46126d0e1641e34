module github.com/shinsei-app/shinsei

go 1.26.8

require (
	github.com/danieljoos/wincred v1.2.3 // indirect
	github.com/digitorus/pkcs7 v0.0.0-20250730155240-ffadbf3f398c // indirect
	github.com/godbus/dbus/v5 v5.2.2 // indirect
	github.com/miekg/pkcs11 v1.1.2 // indirect
	github.com/rogpeppe/go-internal v1.16.0 // indirect
	github.com/zalando/go-keyring v0.2.8 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/term v0.48.0 // indirect
	golang.org/x/text v0.44.0 // indirect
	golang.org/x/tools v0.52.0 // indirect
	software.sslmate.com/src/go-pkcs12 v0.7.4 // indirect
)
