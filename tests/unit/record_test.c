/*
 * Frame recording lines: every frame comes back byte for byte, as a JSON
 * string when it is UTF-8 and as base64 when it is not.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "../check.h"
#include "record.h"

static void
test_utf8(void)
{
	static const struct {
		const char	*name;
		const char	*bytes;
		int		 want;
	} u[] = {
		{ "ascii", "[{\"ev\":\"T\"}]", 1 },
		{ "two-byte", "caf\xc3\xa9", 1 },
		{ "three-byte", "\xe2\x80\xa6", 1 },
		{ "four-byte", "\xf0\x9f\x93\x88", 1 },
		{ "lone continuation", "\x80", 0 },
		{ "overlong slash", "\xc0\xaf", 0 },
		{ "overlong three-byte", "\xe0\x80\xaf", 0 },
		{ "surrogate", "\xed\xa0\x80", 0 },
		{ "above U+10FFFF", "\xf4\x90\x80\x80", 0 },
		{ "truncated at the end", "ab\xe2\x80", 0 },
		{ "bad continuation", "\xc3\x28", 0 },
		{ "0xff", "\xff", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		CHECK(utf8_valid((const unsigned char *)u[i].bytes,
		    strlen(u[i].bytes)) == u[i].want, "utf8: %s", u[i].name);
}

static void
round_trip(const char *name, const char *frame, size_t len, int want_b64)
{
	char *buf = NULL, *bin;
	size_t cap = 0, n, bin_len = 0;
	json_error_t err;
	json_t *o, *f;
	int ok = 0;

	n = record_format(&buf, &cap, 1234567890123456789LL, frame, len);
	o = n > 0 && buf[n - 1] == '\n' ? json_loadb(buf, n, JSON_ALLOW_NUL, &err) : NULL;
	if (o != NULL &&
	    json_integer_value(json_object_get(o, "recv_ns")) ==
	    1234567890123456789LL) {
		if (!want_b64 && (f = json_object_get(o, "frame")) != NULL)
			ok = json_string_length(f) == len &&
			    memcmp(json_string_value(f), frame, len) == 0;
		if (want_b64 && (f = json_object_get(o, "frame_b64")) != NULL) {
			bin = malloc(len + 1);
			ok = sodium_base642bin((unsigned char *)bin, len + 1,
			    json_string_value(f), json_string_length(f), NULL,
			    &bin_len, NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
			    bin_len == len && memcmp(bin, frame, len) == 0;
			free(bin);
		}
	}
	CHECK(ok, "record: %s comes back byte for byte", name);
	json_decref(o);
	free(buf);
}

int
main(void)
{
	static const char nul_frame[] = "[{\"ev\":\"T\",\0\"x\":1}]";
	static const char quoted[] = "[{\"ev\":\"status\",\"message\":"
	    "\"a \\\"quoted\\\" \\\\ text\\n\"}]\r\n\t\x01\x7f";

	test_utf8();
	round_trip("a plain frame", "[{\"ev\":\"XT\",\"p\":1}]", 19, 0);
	round_trip("quotes, backslashes, control bytes", quoted,
	    sizeof(quoted) - 1, 0);
	round_trip("UTF-8 text", "[\"caf\xc3\xa9 \xf0\x9f\x93\x88\"]", 13, 0);
	round_trip("a NUL byte", nul_frame, sizeof(nul_frame) - 1, 0);
	round_trip("invalid UTF-8 (base64)", "[\"\xff\xfe\"]", 6, 1);
	round_trip("an empty frame", "", 0, 0);
	return check_report();
}
