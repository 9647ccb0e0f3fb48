#ifndef TASER_CCURL_SHIM_H
#define TASER_CCURL_SHIM_H
#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one typed
// wrapper per argument kind.
static inline CURLcode taser_curl_set_long(CURL *c, CURLoption o, long v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode taser_curl_set_string(CURL *c, CURLoption o, const char *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode taser_curl_set_pointer(CURL *c, CURLoption o, void *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode taser_curl_set_slist(CURL *c, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(c, o, v); }
typedef size_t (*taser_curl_callback)(char *, size_t, size_t, void *);
static inline CURLcode taser_curl_set_callback(CURL *c, CURLoption o, taser_curl_callback f) { return curl_easy_setopt(c, o, f); }
static inline CURLcode taser_curl_get_long(CURL *c, CURLINFO i, long *v) { return curl_easy_getinfo(c, i, v); }
// The socket of a CONNECT_ONLY connection (CURLINFO_ACTIVESOCKET), to wait on it between curl_easy_send calls.
static inline CURLcode taser_curl_get_socket(CURL *c, CURLINFO i, curl_socket_t *v) { return curl_easy_getinfo(c, i, v); }
#endif
