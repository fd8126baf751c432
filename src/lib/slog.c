/* SPDX-License-Identifier: MIT */
/*
 * QNX's logging calls: slog2 (<sys/slog2.h>: slog2_register, slog2f,
 * slog2c, slog2fa, verbosity, the default buffer, slog2_reset) and the
 * older slogger's (<sys/slog.h>: slogf, vslogf, slogb, slogi); see
 * slog2_register(3).
 *
 * QNX keeps a process's buffer sets in shared memory for slogger2 and
 * slog2info.  Linux has the system log for that, so each record is
 * written there at once, one line: syslog(3) with the severity as its
 * priority (the journal or rsyslog keep it, with the program's name and
 * pid), or standard error, or both, as AXON_SLOG says; by default the
 * system log where /dev/log is a socket and standard error where there is
 * none (a container), so that no record is lost unseen.  What stays of
 * QNX's model is what a program can observe: the buffer sets and their
 * names, each set's verbosity (records less severe are dropped before
 * they are formatted), the default buffer, the errors.
 *
 * Buffer sets are never freed: slog2_reset() marks them unregistered and
 * later registrations reuse them, so that a handle kept past a reset
 * fails with EPERM (on QNX it faults) until a registration reuses its
 * set (it then logs there), and memory stays bounded by the most sets
 * registered at once.  One mutex guards the registry; a record is
 * formatted and written outside it.  Nothing here is async-signal-safe
 * (the mutex, and syslog(3)'s).
 *
 * A line on standard error is at most PIPE_BUF bytes, written with one
 * write(2), so that records of different threads and processes sharing
 * a pipe (a service's standard error) do not mix.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/slog.h>
#include <sys/slog2.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#define SLOG_NAME_MAX 64   /* a set's or buffer's name, NUL included */
#define SLOG_TEXT_MAX 4096 /* a record's text, NUL included */
#define SLOG_LABEL_MAX (2 * SLOG_NAME_MAX + 16)

#define SLOG2_ALL_FLAGS                                                     \
	(SLOG2_ALLOC_TYPE_SHMEM | SLOG2_ALLOC_TYPE_PHYSICAL |               \
	    SLOG2_DISCARD_NEWLINE | SLOG2_HINT_SKIP_BUFFER_0 |              \
	    SLOG2_HINT_SKIP_BUFFER_1 | SLOG2_HINT_SKIP_BUFFER_2 |           \
	    SLOG2_HINT_SKIP_BUFFER_3 | SLOG2_TRY_REUSE_BUFFER_SET |         \
	    SLOG2_LIMIT_RETRIES | SLOG2_QUIET)

struct slog_set;

struct axon_slog2_buffer {
	struct slog_set *set;
	char name[SLOG_NAME_MAX];
	int pages;
};

struct slog_set {
	struct slog_set *next;
	bool live;
	uint8_t verbosity;
	uint8_t reg_verbosity; /* as registered: SLOG2_TRY_REUSE_BUFFER_SET */
	uint32_t flags;
	int n;
	char name[SLOG_NAME_MAX];
	struct axon_slog2_buffer buf[SLOG2_MAX_BUFFERS];
};

static pthread_mutex_t slog_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slog_set *sets; /* every set ever made, live or not */
static int nlive;
static slog2_buffer_t dflt;
static bool atfork_done;

enum { SINK_SYSLOG = 1, SINK_STDERR = 2 };
static pthread_once_t sink_once = PTHREAD_ONCE_INIT;
static int sink;

static const char *const sev_name[8] = {
	"shutdown", "critical", "error", "warning",
	"notice", "info", "debug1", "debug2",
};
static const int sev_prio[8] = {
	LOG_EMERG, LOG_CRIT, LOG_ERR, LOG_WARNING,
	LOG_NOTICE, LOG_INFO, LOG_DEBUG, LOG_DEBUG,
};

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return;
		}
		p += w;
		n -= (size_t) w;
	}
}

/* AXON_SLOG, read once per process. */
static void
sink_init(void)
{
	const char *v = getenv("AXON_SLOG");
	struct stat st;

	if (v != NULL && strcmp(v, "syslog") == 0) {
		sink = SINK_SYSLOG;
	} else if (v != NULL && strcmp(v, "stderr") == 0) {
		sink = SINK_STDERR;
	} else if (v != NULL && strcmp(v, "both") == 0) {
		sink = SINK_SYSLOG | SINK_STDERR;
	} else {
		if (v != NULL && *v != '\0') {
			static const char m[] = "axon: AXON_SLOG is not "
			    "syslog, stderr or both; using the default\n";

			write_all(STDERR_FILENO, m, sizeof(m) - 1);
		}
		sink = stat("/dev/log", &st) == 0 && S_ISSOCK(st.st_mode)
		    ? SINK_SYSLOG : SINK_STDERR;
	}
}

/*
 * Writes one record: label, severity and text, the text's trailing
 * newlines dropped and, with nl_space, each run of newlines inside it
 * made one space (SLOG2_DISCARD_NEWLINE).
 */
static void
emit(const char *label, unsigned sev, const char *text, bool nl_space)
{
	/* "label severity: text\n", the text at body, PIPE_BUF bytes at
	 * most; the system log takes label and body. */
	char line[PIPE_BUF];
	size_t len = strlen(text), n, body;
	int w;

	if (sev > 7) {
		sev = 7;
	}
	w = snprintf(line, SLOG_LABEL_MAX + 16, "%s %s: ", label,
	    sev_name[sev]);
	body = w > 0 && (size_t) w < SLOG_LABEL_MAX + 16 ? (size_t) w : 0;
	n = body;
	while (len > 0 && text[len - 1] == '\n') {
		len--;
	}
	for (size_t i = 0; i < len && n < sizeof(line) - 1; i++) {
		if (text[i] != '\n' || !nl_space) {
			line[n++] = text[i];
		} else if (i == 0 || text[i - 1] != '\n') {
			line[n++] = ' ';
		}
	}
	line[n] = '\0';
	pthread_once(&sink_once, sink_init);
	if (sink & SINK_SYSLOG) {
		syslog(sev_prio[sev], "%s: %s", label, line + body);
	}
	if (sink & SINK_STDERR) {
		line[n++] = '\n';
		write_all(STDERR_FILENO, line, n);
	}
}

static void
slog_prepare(void)
{
	pthread_mutex_lock(&slog_lock);
}

static void
slog_release(void)
{
	pthread_mutex_unlock(&slog_lock);
}

/* The set b belongs to, if Axon made b.  slog_lock held. */
static struct slog_set *
set_of(slog2_buffer_t b)
{
	for (struct slog_set *s = sets; s != NULL; s = s->next) {
		for (int i = 0; i < s->n; i++) {
			if (&s->buf[i] == b) {
				return s;
			}
		}
	}
	return NULL;
}

/* b, or the default buffer for NULL, checked: 0 or -errno.
 * slog_lock held. */
static int
resolve(slog2_buffer_t *b, struct slog_set **ret)
{
	struct slog_set *s;

	if (nlive == 0) {
		return -EPERM;
	}
	if (*b == NULL) {
		*b = dflt;
		if (*b == NULL) {
			return -EFAULT;
		}
	}
	s = set_of(*b);
	if (s == NULL) {
		return -EINVAL;
	}
	if (!s->live) {
		return -EPERM;
	}
	*ret = s;
	return 0;
}

/*
 * Whether a record of severity sev in b is kept (1) or dropped below the
 * set's verbosity (0), or -errno; on 1 the record's label and newline
 * rule are filled in.
 */
static int
slog2_begin(slog2_buffer_t b, uint16_t code, uint8_t sev,
    char label[SLOG_LABEL_MAX], bool *nl_space)
{
	struct slog_set *s;
	int rc;

	pthread_mutex_lock(&slog_lock);
	rc = resolve(&b, &s);
	if (rc == 0 && sev <= s->verbosity) {
		snprintf(label, SLOG_LABEL_MAX, "%s.%s[%u]", s->name, b->name,
		    (unsigned) code);
		*nl_space = (s->flags & SLOG2_DISCARD_NEWLINE) != 0;
		rc = 1;
	}
	pthread_mutex_unlock(&slog_lock);
	return rc;
}

static bool
config_ok(const slog2_buffer_set_config_t *c, uint32_t flags)
{
	if (c->num_buffers < 1 || c->num_buffers > SLOG2_MAX_BUFFERS ||
	    c->buffer_set_name == NULL || c->buffer_set_name[0] == '\0' ||
	    c->verbosity_level > SLOG2_DEBUG2 ||
	    (flags & ~(uint32_t) SLOG2_ALL_FLAGS) != 0) {
		return false;
	}
	for (int i = 0; i < c->num_buffers; i++) {
		const slog2_buffer_config_t *b = &c->buffer_config[i];

		if (b->buffer_name == NULL || b->buffer_name[0] == '\0' ||
		    b->num_pages < 1) {
			return false;
		}
	}
	return true;
}

static void
name_copy(char dst[SLOG_NAME_MAX], const char *src)
{
	snprintf(dst, SLOG_NAME_MAX, "%s", src);
}

/* Whether the live set s was registered with c (names as kept). */
static bool
same_set(const struct slog_set *s, const slog2_buffer_set_config_t *c,
    uint32_t flags)
{
	char n[SLOG_NAME_MAX];

	name_copy(n, c->buffer_set_name);
	if (!s->live || s->n != c->num_buffers || strcmp(s->name, n) != 0 ||
	    s->reg_verbosity != c->verbosity_level ||
	    (s->flags & SLOG2_DISCARD_NEWLINE) !=
		(flags & SLOG2_DISCARD_NEWLINE)) {
		return false;
	}
	for (int i = 0; i < s->n; i++) {
		name_copy(n, c->buffer_config[i].buffer_name);
		if (strcmp(s->buf[i].name, n) != 0 ||
		    s->buf[i].pages != c->buffer_config[i].num_pages) {
			return false;
		}
	}
	return true;
}

int
slog2_register(slog2_buffer_set_config_t *config, slog2_buffer_t *handles,
    uint32_t flags)
{
	struct slog_set *s = NULL;

	if (config == NULL || handles == NULL || !config_ok(config, flags)) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&slog_lock);
	if (!atfork_done) {
		(void) pthread_atfork(slog_prepare, slog_release,
		    slog_release);
		atfork_done = true;
	}
	if (flags & SLOG2_TRY_REUSE_BUFFER_SET) {
		for (s = sets; s != NULL && !same_set(s, config, flags);
		     s = s->next) {
		}
	}
	if (s == NULL) {
		for (s = sets; s != NULL && s->live; s = s->next) {
		}
		if (s == NULL) {
			s = calloc(1, sizeof(*s));
			if (s == NULL) {
				pthread_mutex_unlock(&slog_lock);
				errno = ENOMEM;
				return -1;
			}
			s->next = sets;
			sets = s;
		}
		s->live = true;
		s->verbosity = config->verbosity_level;
		s->reg_verbosity = config->verbosity_level;
		s->flags = flags;
		s->n = config->num_buffers;
		name_copy(s->name, config->buffer_set_name);
		for (int i = 0; i < s->n; i++) {
			s->buf[i].set = s;
			name_copy(s->buf[i].name,
			    config->buffer_config[i].buffer_name);
			s->buf[i].pages = config->buffer_config[i].num_pages;
		}
		nlive++;
	}
	for (int i = 0; i < s->n; i++) {
		handles[i] = &s->buf[i];
	}
	pthread_mutex_unlock(&slog_lock);
	return 0;
}

int
slog2_reset(void)
{
	pthread_mutex_lock(&slog_lock);
	for (struct slog_set *s = sets; s != NULL; s = s->next) {
		s->live = false;
	}
	nlive = 0;
	dflt = NULL;
	pthread_mutex_unlock(&slog_lock);
	return 0;
}

int
slog2_set_verbosity(slog2_buffer_t buffer, uint8_t verbosity)
{
	struct slog_set *s;
	int rc = -EINVAL;

	pthread_mutex_lock(&slog_lock);
	if (verbosity <= SLOG2_DEBUG2) {
		rc = resolve(&buffer, &s);
	}
	if (rc == 0) {
		s->verbosity = verbosity; /* the whole set's, as on QNX */
	}
	pthread_mutex_unlock(&slog_lock);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

uint8_t
slog2_get_verbosity(slog2_buffer_t buffer)
{
	struct slog_set *s;
	uint8_t v = SLOG2_INVALID_VERBOSITY;
	int rc;

	pthread_mutex_lock(&slog_lock);
	rc = resolve(&buffer, &s);
	if (rc == 0) {
		v = s->verbosity;
	}
	pthread_mutex_unlock(&slog_lock);
	if (rc < 0) {
		errno = -rc;
	}
	return v;
}

slog2_buffer_t
slog2_set_default_buffer(slog2_buffer_t buffer)
{
	slog2_buffer_t old;
	struct slog_set *s = NULL;

	pthread_mutex_lock(&slog_lock);
	old = dflt;
	if (buffer != (slog2_buffer_t) -1) { /* -1: only asks */
		s = buffer == NULL ? NULL : set_of(buffer);
		if (buffer != NULL && (s == NULL || !s->live)) {
			pthread_mutex_unlock(&slog_lock);
			errno = s == NULL ? EINVAL : EPERM;
			return (slog2_buffer_t) -1;
		}
		dflt = buffer;
	}
	pthread_mutex_unlock(&slog_lock);
	return old;
}

/* How record() takes its text. */
enum rec_how {
	REC_CONST,  /* text as it is (slog2c) */
	REC_PRINTF, /* printf-formatted from *ap (slog2f) */
	REC_FA,     /* formatted from tagged arguments in *ap (slog2fa) */
};

static int fa_format(char *out, size_t cap, const char *f, va_list ap);

/*
 * One record of slog2c(), slog2f() or slog2fa(): checked, dropped below
 * the set's verbosity before its text is made, or written.  0, or -1
 * with errno.
 */
static int
record(slog2_buffer_t buffer, uint16_t code, uint8_t severity,
    const char *text, enum rec_how how, va_list *ap)
{
	char label[SLOG_LABEL_MAX], buf[SLOG_TEXT_MAX];
	bool nl = false;
	int rc = slog2_begin(buffer, code, severity, label, &nl);

	if (rc == 1 && text == NULL) {
		rc = -EINVAL;
	} else if (rc == 1 && how == REC_PRINTF) {
		rc = vsnprintf(buf, sizeof(buf), text, *ap) < 0 ? -EINVAL : 1;
		text = buf;
	} else if (rc == 1 && how == REC_FA) {
		rc = fa_format(buf, sizeof(buf), text, *ap) < 0 ? -EINVAL : 1;
		text = buf;
	}
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	if (rc == 1) {
		emit(label, severity, text, nl);
	}
	return 0;
}

int
slog2c(slog2_buffer_t buffer, uint16_t code, uint8_t severity,
    const char *data)
{
	return record(buffer, code, severity, data, REC_CONST, NULL);
}

int
vslog2f(slog2_buffer_t buffer, uint16_t code, uint8_t severity,
    const char *format, va_list arglist)
{
	va_list ap;
	int rc;

	va_copy(ap, arglist); /* (a parameter's va_list has no address) */
	rc = record(buffer, code, severity, format, REC_PRINTF, &ap);
	va_end(ap);
	return rc;
}

int
slog2f(slog2_buffer_t buffer, uint16_t code, uint8_t severity,
    const char *format, ...)
{
	va_list ap;
	int rc;

	va_start(ap, format);
	rc = vslog2f(buffer, code, severity, format, ap);
	va_end(ap);
	return rc;
}

/*
 * slog2fa()'s formatting: format's conversions each take the next tagged
 * argument (sys/slog2.h), which must be of the kind the conversion
 * needs; length modifiers are read past (the tag gives the width).
 * Writes at most cap bytes, NUL included.  0, or -EINVAL for a
 * conversion it does not take (%n among them), a tag that does not fit,
 * or the list's end before the format's.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* spec: built here */
static int
fa_format(char *out, size_t cap, const char *f, va_list ap)
{
	size_t n = 0;

	out[0] = '\0';
	while (*f != '\0') {
		char spec[48];
		size_t sl = 0;
		int tag, w = 0;

		if (*f != '%' || f[1] == '%') {
			if (n + 1 < cap) {
				out[n++] = *f;
				out[n] = '\0';
			}
			f += *f == '%' ? 2 : 1;
			continue;
		}
		spec[sl++] = *f++;
		while (*f != '\0' && strchr("-+ #0'", *f) != NULL &&
		    sl < 8) {
			spec[sl++] = *f++;
		}
		for (int part = 0; part < 2; part++) {
			if (part == 1) {
				if (*f != '.') {
					break;
				}
				spec[sl++] = *f++;
			}
			if (*f == '*') {
				if (va_arg(ap, int) != AXON_SLOG2_FA_STAR) {
					return -EINVAL;
				}
				sl += (size_t) snprintf(spec + sl,
				    sizeof(spec) - sl, "%d", va_arg(ap, int));
				f++;
			}
			for (int d = 0; *f >= '0' && *f <= '9'; d++, f++) {
				if (d >= 6) {
					return -EINVAL;
				}
				spec[sl++] = *f;
			}
		}
		while (*f != '\0' && strchr("hlLqjzt", *f) != NULL) {
			f++;
		}
		if (*f == '\0' || sl > sizeof(spec) - 6) {
			return -EINVAL;
		}
		tag = va_arg(ap, int);
		switch (*f) {
		case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
		case 'c': case 'p': {
			unsigned long long v;

			if (tag == AXON_SLOG2_FA_SIGNED) {
				v = (unsigned long long) va_arg(ap, long long);
			} else if (tag == AXON_SLOG2_FA_UNSIGNED) {
				v = va_arg(ap, unsigned long long);
			} else {
				return -EINVAL;
			}
			if (*f == 'c') {
				spec[sl++] = 'c';
				spec[sl] = '\0';
				w = snprintf(out + n, cap - n, spec, (int) v);
			} else if (*f == 'p') {
				spec[sl++] = 'p';
				spec[sl] = '\0';
				w = snprintf(out + n, cap - n, spec,
				    (void *) (uintptr_t) v);
			} else {
				spec[sl++] = 'l';
				spec[sl++] = 'l';
				spec[sl++] = *f;
				spec[sl] = '\0';
				w = *f == 'd' || *f == 'i'
				    ? snprintf(out + n, cap - n, spec,
					  (long long) v)
				    : snprintf(out + n, cap - n, spec, v);
			}
			break;
		}
		case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
		case 'a': case 'A':
			if (tag != AXON_SLOG2_FA_DOUBLE) {
				return -EINVAL;
			}
			spec[sl++] = *f;
			spec[sl] = '\0';
			w = snprintf(out + n, cap - n, spec, va_arg(ap, double));
			break;
		case 's': {
			const char *s;

			if (tag != AXON_SLOG2_FA_STRING) {
				return -EINVAL;
			}
			s = va_arg(ap, const char *);
			spec[sl++] = 's';
			spec[sl] = '\0';
			w = snprintf(out + n, cap - n, spec,
			    s != NULL ? s : "(null)");
			break;
		}
		default:
			return -EINVAL;
		}
		if (w < 0) {
			return -EINVAL;
		}
		n += (size_t) w < cap - n ? (size_t) w : cap - n - 1;
		f++;
	}
	return 0;
}
#pragma GCC diagnostic pop

int
vslog2fa(slog2_buffer_t buffer, uint16_t code, uint8_t severity,
    const char *format, va_list arglist)
{
	va_list ap;
	int rc;

	va_copy(ap, arglist); /* (a parameter's va_list has no address) */
	rc = record(buffer, code, severity, format, REC_FA, &ap);
	va_end(ap);
	return rc;
}

int
slog2fa(slog2_buffer_t buffer, uint16_t code, uint8_t severity,
    const char *format, ...)
{
	va_list ap;
	int rc;

	va_start(ap, format);
	rc = vslog2fa(buffer, code, severity, format, ap);
	va_end(ap);
	return rc;
}

/* ---- The older slogger's calls (<sys/slog.h>) ---- */

static void
slog_label(char label[SLOG_LABEL_MAX], int opcode)
{
	snprintf(label, SLOG_LABEL_MAX, "slog[%d.%d]", _SLOG_GETMAJOR(opcode),
	    _SLOG_GETMINOR(opcode));
}

int
vslogf(int opcode, int severity, const char *fmt, va_list arg)
{
	char label[SLOG_LABEL_MAX], text[SLOG_TEXT_MAX];
	int len;

	if (fmt == NULL || severity < 0 ||
	    (len = vsnprintf(text, sizeof(text), fmt, arg)) < 0) {
		errno = EINVAL;
		return -1;
	}
	slog_label(label, opcode);
	emit(label, (unsigned) severity, text, false);
	return len < (int) sizeof(text) ? len : (int) sizeof(text) - 1;
}

int
slogf(int opcode, int severity, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vslogf(opcode, severity, fmt, ap);
	va_end(ap);
	return rc;
}

/* A block of bytes, as hexadecimal text (at most 1020 bytes, 255 words
 * of 4, as QNX's slogger took). */
int
slogb(int opcode, int severity, void *data, int size)
{
	char label[SLOG_LABEL_MAX], text[SLOG_TEXT_MAX];
	const unsigned char *p = data;
	int n;

	if (severity < 0 || size < 0 || size > 1020 ||
	    (data == NULL && size > 0)) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(text, sizeof(text), "%d bytes:", size);
	for (int i = 0; i < size; i++) {
		n += snprintf(text + n, sizeof(text) - (size_t) n, " %02x",
		    p[i]);
	}
	slog_label(label, opcode);
	emit(label, (unsigned) severity, text, false);
	return size;
}

/* nargs ints (at most 32), as decimal text. */
int
slogi(int opcode, int severity, int nargs, ...)
{
	char label[SLOG_LABEL_MAX], text[SLOG_TEXT_MAX];
	va_list ap;
	int n = 0;

	if (severity < 0 || nargs < 0 || nargs > 32) {
		errno = EINVAL;
		return -1;
	}
	text[0] = '\0';
	va_start(ap, nargs);
	for (int i = 0; i < nargs; i++) {
		n += snprintf(text + n, sizeof(text) - (size_t) n, "%s%d",
		    i == 0 ? "" : " ", va_arg(ap, int));
	}
	va_end(ap);
	slog_label(label, opcode);
	emit(label, (unsigned) severity, text, false);
	return nargs * (int) sizeof(int);
}
