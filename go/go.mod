module github.com/autopilot-mock/autopilot-mock/go/autopilotmock

go 1.19

require (
	google.golang.org/grpc v1.33.3
	google.golang.org/protobuf v1.28.1
	gopkg.in/macaroon.v2 v2.1.0
)
