// Debian's libhiredis-dev (0.14): the RESP formatter (redisFormatCommandArgv) and reader (redisReader).
#ifndef HERALD_CHIREDIS_SHIM_H
#define HERALD_CHIREDIS_SHIM_H
#include <pthread.h>
#include <hiredis/hiredis.h>
#include <hiredis/read.h>

// hiredis 0.14 allocates an array reply's element table as soon as it reads the header `*<count>`, before any
// element arrived: one line from a broken or hostile server (or whoever sits on a plain connection) could make it
// allocate gigabytes. The reader Herald uses refuses arrays longer than this (the reply then fails as out of memory
// and the connection is closed); Herald's largest replies are lists of a site's devices, far below it.
#define HERALD_MAX_REPLY_ELEMENTS (4 * 1024 * 1024)

// The table hiredis' reader uses by default, copied once; the slots live in functions because the Swift importer
// emits a header's functions but not its file-scope variables.
static inline redisReplyObjectFunctions *herald_default_functions(void) {
    static redisReplyObjectFunctions functions;
    return &functions;
}

static inline redisReplyObjectFunctions *herald_bounded_functions(void) {
    static redisReplyObjectFunctions functions;
    return &functions;
}

static inline void *herald_create_bounded_array(const redisReadTask *task, int elements) {
    if (elements < 0 || elements > HERALD_MAX_REPLY_ELEMENTS) {
        return NULL;
    }
    return herald_default_functions()->createArray(task, elements);
}

static inline void herald_prepare_bounded_functions(void) {
    redisReader *template = redisReaderCreate();
    if (template == NULL) {
        return;
    }
    *herald_default_functions() = *template->fn;
    *herald_bounded_functions() = *template->fn;
    herald_bounded_functions()->createArray = herald_create_bounded_array;
    redisReaderFree(template);
}

static inline pthread_once_t *herald_bounded_functions_once(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    return &once;
}

// A reader whose array replies are bounded by HERALD_MAX_REPLY_ELEMENTS; NULL when out of memory.
static inline redisReader *herald_bounded_reader_create(void) {
    pthread_once(herald_bounded_functions_once(), herald_prepare_bounded_functions);
    if (herald_default_functions()->createArray == NULL) {
        return NULL;
    }
    return redisReaderCreateWithFunctions(herald_bounded_functions());
}
#endif
