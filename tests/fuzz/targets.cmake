# The fuzz targets: tests/fuzz/fuzz_NAME.c, corpus/NAME/, crashes/NAME/.
# Included by tests/fuzz/CMakeLists.txt (the libFuzzer binaries) and
# tests/CMakeLists.txt (the replay tests); scripts/dev fuzz lists the same.
set(BILLGW_FUZZ_TARGETS
	request
	form
	identifier
	session
	config
)
