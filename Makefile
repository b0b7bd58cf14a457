# Airlock: the two things a newcomer runs are `make run` and `make test`.
SWIFT ?= swift

.PHONY: deps build test run bench format clean

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@scripts/check-leaks

clean:
	rm -rf .build
