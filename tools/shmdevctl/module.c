// SPDX-License-Identifier: GPL-2.0
/*
 * shmdevctl's module command: status, from sysfs and libshmdev's queries,
 * loading the module through libkmod with --load.
 */
#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <libkmod.h>

#include "json.h"
#include "main.h"

#define SYS_MODULE	"/sys/module/shmdev"

/* ---- status ---- */

/* The first line of a file, without its newline; false if unreadable. */
static bool read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, size, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* Our messages say what failed; libkmod's own would repeat them. */
static void kmod_quiet(void *data, int priority, const char *file, int line,
		       const char *fn, const char *format, va_list args)
{
	(void)data, (void)priority, (void)file, (void)line, (void)fn;
	(void)format, (void)args;
}

/*
 * libkmod, opened only by 'status --load': linked in, it (and libcrypto,
 * which it pulls in) would be loaded and relocated by every run of
 * shmdevctl, and a host without libkmod could not run shmdevctl at all.
 */
struct kmod_api {
	__typeof__(kmod_new) *new;
	__typeof__(kmod_unref) *unref;
	__typeof__(kmod_set_log_fn) *set_log_fn;
	__typeof__(kmod_module_new_from_path) *module_new_from_path;
	__typeof__(kmod_module_new_from_name) *module_new_from_name;
	__typeof__(kmod_module_insert_module) *module_insert_module;
	__typeof__(kmod_module_probe_insert_module) *module_probe_insert_module;
	__typeof__(kmod_module_unref) *module_unref;
};

static bool kmod_open(struct kmod_api *k)
{
	void *h = dlopen("libkmod.so.2", RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return false;
	k->new = dlsym(h, "kmod_new");
	k->unref = dlsym(h, "kmod_unref");
	k->set_log_fn = dlsym(h, "kmod_set_log_fn");
	k->module_new_from_path = dlsym(h, "kmod_module_new_from_path");
	k->module_new_from_name = dlsym(h, "kmod_module_new_from_name");
	k->module_insert_module = dlsym(h, "kmod_module_insert_module");
	k->module_probe_insert_module = dlsym(h, "kmod_module_probe_insert_module");
	k->module_unref = dlsym(h, "kmod_module_unref");
	return k->new && k->unref && k->set_log_fn && k->module_new_from_path &&
	       k->module_new_from_name && k->module_insert_module &&
	       k->module_probe_insert_module && k->module_unref;
}

/*
 * Load the module through libkmod: the file at @path, or "shmdev" from
 * /lib/modules/$(uname -r) with its modprobe.d options. Reports failures.
 */
static int load_module(const char *path)
{
	struct kmod_module *mod = NULL;
	struct kmod_api k;
	struct kmod_ctx *ctx;
	struct utsname u;
	int ret;

	if (!kmod_open(&k))
		return fail("cannot load the module: libkmod.so.2: %s", dlerror());
	ctx = k.new(NULL, NULL);
	if (!ctx)
		return fail("cannot load the module: libkmod could not start");
	k.set_log_fn(ctx, kmod_quiet, NULL);
	if (path) {
		ret = k.module_new_from_path(ctx, path, &mod);
		if (!ret)
			ret = k.module_insert_module(mod, 0, NULL);
	} else {
		ret = k.module_new_from_name(ctx, "shmdev", &mod);
		if (!ret)
			ret = k.module_probe_insert_module(mod, 0, NULL, NULL,
							   NULL, NULL);
	}
	if (mod)
		k.module_unref(mod);
	k.unref(ctx);
	if (ret == -EEXIST || !ret)
		return EXIT_SUCCESS;

	if (!path && ret == -ENOENT) {
		uname(&u);
		return fail("cannot load module shmdev: not found in /lib/modules/%s (install it with 'make install', or give --module PATH)",
			    u.release);
	}
	if (ret < 0)
		return fail("cannot load module %s: %s%s", path ? path : "shmdev",
			    strerror(-ret),
			    ret == -EPERM ? " (loading a module needs root)" :
			    ret == -ENOEXEC || ret == -EINVAL ?
			    " (built for another kernel? see dmesg)" : "");
	return fail("cannot load module shmdev: refused by the modprobe configuration (code %d)",
		    ret);
}

static const char *const feature_names[] = {
	"regions", "wait", "locks", "mutex", "events", "mutex_destroy",
	"owner_ids", "init", "sized_args", "files",
};

struct mod_state {
	const char *state;		/* "live", "built-in", NULL: absent */
	char initstate[32];
	char version[64];
	bool has_version;
	int dev_err;			/* errno opening /dev/shmdev */
	int api_err, status_err;	/* -errno of the queries */
	struct shmdev_api api;
	struct shmdev_status st;
	struct dirent **params;
	int nparams;
};

static int param_filter(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static void mod_state_read(struct mod_state *m)
{
	struct stat sb;
	int fd;

	memset(m, 0, sizeof(*m));
	if (read_line(SYS_MODULE "/initstate", m->initstate, sizeof(m->initstate)))
		m->state = m->initstate;
	else if (!stat(SYS_MODULE, &sb))
		m->state = "built-in";
	m->has_version = read_line(SYS_MODULE "/version", m->version,
				   sizeof(m->version));
	m->nparams = scandir(SYS_MODULE "/parameters", &m->params, param_filter,
			     alphasort);
	if (m->nparams < 0)
		m->nparams = 0;

	m->api_err = m->status_err = -ENODEV;
	fd = open(SHMDEV_DEVICE, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		m->dev_err = errno;
		return;
	}
	close(fd);
	m->api_err = shmdev_query_api(&m->api);
	m->status_err = shmdev_query_status(&m->st);
	/* The query's own open file is one of the handles counted. */
	if (!m->status_err && m->st.handles)
		m->st.handles--;
}

/* Does the module fill the status fields of SHMDEV_FEAT_SIZED_ARGS? */
static bool sized_args(const struct mod_state *m)
{
	return !m->api_err && (m->api.features & SHMDEV_FEAT_SIZED_ARGS);
}

static bool param_read(const struct mod_state *m, int i, char *buf, size_t size)
{
	char path[512];

	snprintf(path, sizeof(path), SYS_MODULE "/parameters/%s",
		 m->params[i]->d_name);
	return read_line(path, buf, size);
}

static bool param_is_bytes(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && !strcmp(name + n - 5, "_size")) ||
	       (n > 6 && !strcmp(name + n - 6, "_bytes"));
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static void print_status_json(const struct mod_state *m, bool loaded_now)
{
	struct json j = JSON_INIT(stdout);
	char val[256];
	int k;

	json_open(&j, NULL, '{');
	json_bool(&j, "loaded", m->state != NULL);
	json_str(&j, "state", m->state);
	json_bool(&j, "loaded_now", loaded_now);
	json_str(&j, "version", m->has_version ? m->version : NULL);
	json_str(&j, "device", SHMDEV_DEVICE);
	json_str(&j, "device_error", m->dev_err ? strerror(m->dev_err) : NULL);

	if (!m->api_err) {
		json_open(&j, "api", '{');
		json_u64(&j, "abi_version", m->api.abi_version);
		json_u64(&j, "features_mask", m->api.features);
		json_open(&j, "features", '[');
		for (k = 0; k < 64; k++) {
			if (!(m->api.features & (1ULL << k)))
				continue;
			if ((size_t)k < ARRAY_SIZE(feature_names)) {
				json_str(&j, NULL, feature_names[k]);
			} else {
				snprintf(val, sizeof(val), "bit%d", k);
				json_str(&j, NULL, val);
			}
		}
		json_close(&j, ']');
		json_u64(&j, "nr_locks", m->api.nr_locks);
		json_u64(&j, "name_max", m->api.name_max);
		json_u64(&j, "page_size", m->api.page_size);
		json_close(&j, '}');
	} else {
		json_null(&j, "api");
	}

	if (m->state) {
		json_open(&j, "limits", '{');
		for (k = 0; k < m->nparams; k++) {
			const char *name = m->params[k]->d_name;

			if (!param_read(m, k, val, sizeof(val)))
				continue;
			if (!strcmp(val, "Y") || !strcmp(val, "N")) {
				json_bool(&j, name, val[0] == 'Y');
			} else if (all_digits(val)) {
				json_key(&j, name);
				fputs(val, stdout);
			} else {
				json_str(&j, name, val);
			}
		}
		json_close(&j, '}');
	} else {
		json_null(&j, "limits");
	}

	if (!m->status_err) {
		json_open(&j, "usage", '{');
		json_u64(&j, "ns_regions", m->st.ns_regions);
		json_u64(&j, "ns_bytes", m->st.ns_bytes);
		json_u64(&j, "regions", m->st.regions);
		json_u64(&j, "bytes", m->st.bytes);
		json_u64(&j, "user_bytes", m->st.user_bytes);
		json_u64(&j, "handles", m->st.handles);
		if (sized_args(m)) {
			json_u64(&j, "owner_ids", m->st.owner_ids);
			json_u64(&j, "user_owner_ids", m->st.user_owner_ids);
		}
		json_close(&j, '}');
	} else {
		json_null(&j, "usage");
	}
	json_str(&j, "shmdevctl_version", SHMDEVCTL_VERSION);
	json_close(&j, '}');
}

static void print_status_text(const struct mod_state *m, bool loaded_now)
{
	char val[256], b1[32], b2[32];
	const char *sep;
	int k;

	if (!m->state) {
		printf("%-17s%s\n", "module:", "not loaded (load it with 'shmdevctl status --load' or 'modprobe shmdev')");
		return;
	}
	printf("%-17s%s%s\n", "module:", m->state, loaded_now ? " (loaded now)" : "");
	printf("%-17s%s\n", "version:", m->has_version ? m->version : "unknown");
	if (m->dev_err)
		printf("%-17s%s: %s\n", "device:", SHMDEV_DEVICE, strerror(m->dev_err));
	else
		printf("%-17s%s\n", "device:", SHMDEV_DEVICE);
	if (!m->api_err) {
		printf("%-17s%u\n", "abi version:", m->api.abi_version);
		printf("%-17s", "features:");
		for (k = 0, sep = ""; k < 64; k++) {
			if (!(m->api.features & (1ULL << k)))
				continue;
			if ((size_t)k < ARRAY_SIZE(feature_names))
				printf("%s%s", sep, feature_names[k]);
			else
				printf("%sbit%d", sep, k);
			sep = " ";
		}
		printf("\n%-17s%u\n", "locks/region:", m->api.nr_locks);
		printf("%-17s%u bytes\n", "name max:", m->api.name_max);
		printf("%-17s%u\n", "page size:", m->api.page_size);
	} else if (!m->dev_err) {
		printf("%-17s%s\n", "api:", strerror(-m->api_err));
	}
	for (k = 0; k < m->nparams; k++) {
		const char *name = m->params[k]->d_name;

		if (!param_read(m, k, val, sizeof(val)))
			continue;
		printf("%s:%*s", name, strlen(name) < 16 ? (int)(16 - strlen(name)) : 1, "");
		if (param_is_bytes(name) && all_digits(val))
			printf("%s\n", fmt_size(strtoull(val, NULL, 10), b1));
		else if (!strcmp(val, "Y") || !strcmp(val, "N"))
			printf("%s\n", val[0] == 'Y' ? "yes" : "no");
		else
			printf("%s\n", val);
	}
	if (!m->status_err) {
		printf("%-17s%" PRIu64 " in this namespace (%s), %" PRIu64 " in all (%s)\n",
		       "regions:", (uint64_t)m->st.ns_regions, fmt_size(m->st.ns_bytes, b1),
		       (uint64_t)m->st.regions, fmt_size(m->st.bytes, b2));
		printf("%-17s%s\n", "your bytes:", fmt_size(m->st.user_bytes, b1));
		printf("%-17s%" PRIu64 "\n", "open handles:", (uint64_t)m->st.handles);
		if (sized_args(m))
			printf("%-17s%" PRIu64 " in all, %" PRIu64 " yours\n",
			       "owner ids:", (uint64_t)m->st.owner_ids,
			       (uint64_t)m->st.user_owner_ids);
	} else if (!m->dev_err) {
		printf("%-17s%s\n", "status:", strerror(-m->status_err));
	}
}

int cmd_status(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "load", no_argument, NULL, 'l' },
		{ "module", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool json = false, load = false, loaded_now = false;
	const char *path = NULL, *env = getenv("SHMDEV_KO");
	int c, k, status = EXIT_USAGE;
	struct mod_state m;
	struct stat sb;

	while ((c = next_opt(cmd, argc, argv, ":jlm:h", opts, &status)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'l': load = true; break;
		case 'm': path = optarg; break;
		case 'h': return command_help(cmd);
		default: return status;
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (path && !load)
		return usage_error(cmd, "--module needs --load");
	if (!path && env && *env)
		path = env;

	if (load && stat(SYS_MODULE, &sb)) {
		if (load_module(path))
			return EXIT_FAILURE;
		loaded_now = true;
		/* devtmpfs or udev makes the node; give it two seconds. */
		for (k = 0; k < 40 && access(SHMDEV_DEVICE, F_OK); k++)
			nanosleep(&(struct timespec){ .tv_nsec = 50000000 }, NULL);
	}

	mod_state_read(&m);
	if (json)
		print_status_json(&m, loaded_now);
	else
		print_status_text(&m, loaded_now);
	for (k = 0; k < m.nparams; k++)
		free(m.params[k]);
	free(m.params);
	return m.state && !m.dev_err && !m.api_err && !m.status_err ?
	       EXIT_SUCCESS : EXIT_FAILURE;
}

