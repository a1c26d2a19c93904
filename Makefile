# Thin front door over CMake. `make` builds ./build/pxcmesh; `make check` builds a
# separate sanitizer tree (build-check/, ASan+UBSan, -Werror) and runs every test.
BUILD      ?= build
CHECKBUILD ?= build-check
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_GEN  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all build deps demo check bench soak fuzz install clean lab-up lab-down

all: build

build:
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)
	cmake --build $(BUILD) -j $(JOBS)

deps:
	bash scripts/deps.sh

demo: deps build
	bash scripts/demo.sh $(BUILD)

check: deps
	@test -f $(CHECKBUILD)/CMakeCache.txt || cmake -S . -B $(CHECKBUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPXC_SANITIZE=ON -DPXC_WERROR=ON
	cmake --build $(CHECKBUILD) -j $(JOBS)
	cd $(CHECKBUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

bench: deps build
	bash scripts/bench.sh $(BUILD)

soak: deps build
	bash scripts/soak.sh $(BUILD)

fuzz: deps
	bash scripts/fuzz.sh

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

lab-up: build
	./$(BUILD)/pxcmesh lab up

lab-down: build
	./$(BUILD)/pxcmesh lab down

clean:
	rm -rf $(BUILD) $(CHECKBUILD)
