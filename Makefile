# Airlock: the two things a newcomer runs are `make run` and `make test`.
SWIFT ?= swift
STATE ?= .airlock

.PHONY: deps build test run clean

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build

# The broker with the example policies, on a socket inside the repository ($(STATE)/airlock.sock).
run: build
	.build/debug/airlock serve --state-dir $(STATE) --policies Policies

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@scripts/client-check
	@scripts/check-leaks

clean:
	rm -rf .build
