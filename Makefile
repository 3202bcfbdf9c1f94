# Shortcuts; the README's two commands need none of them.
.PHONY: test ci bench faults fuzz

test:
	go test ./...

# What CI runs: vet, gofmt and the suite with the race detector.
ci:
	.ci/run

# The load benchmark; writes bench/results/latest.md.
bench:
	go run ./bench

# The kill tests with many rounds instead of the suite's two.
faults:
	PRESSROOM_FAULT_ROUNDS=25 go test -count=1 -v -run 'Kill' ./app

# Fuzzing of every API's JSON bodies and of the catalog loader (FUZZTIME each).
FUZZTIME ?= 60s
fuzz:
	go test -run '^$$' -fuzz FuzzAPIBodies -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./app
	go test -run '^$$' -fuzz FuzzLoad -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./catalog
