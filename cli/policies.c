/* SPDX-License-Identifier: Apache-2.0 */
/* Finding a platform's policy file by name, for --platform. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/policies.h"

#ifndef PCRSIM_DATADIR_POLICIES
#define PCRSIM_DATADIR_POLICIES "/usr/local/share/pcrsim/policies"
#endif
#ifndef PCRSIM_SOURCE_POLICIES
#define PCRSIM_SOURCE_POLICIES "policies"
#endif

/* Most platform names that the unknown-platform message lists. */
#define MAX_LISTED 64

enum { DIR_OPTION, DIR_ENV, DIR_INSTALLED, DIR_SOURCE, DIR_COUNT };

/* Fills `dirs` with the folders to search, NULL where one is not set. */
static void policy_dirs(const char *policy_dir, const char *dirs[DIR_COUNT])
{
        const char *env = getenv("PCRSIM_POLICY_DIR");

        dirs[DIR_OPTION] = policy_dir;
        dirs[DIR_ENV] = env && env[0] ? env : NULL;
        dirs[DIR_INSTALLED] = PCRSIM_DATADIR_POLICIES;
        dirs[DIR_SOURCE] = PCRSIM_SOURCE_POLICIES;
}

void cli_print_policy_dirs(const char *policy_dir)
{
        const char *dirs[DIR_COUNT];

        policy_dirs(policy_dir, dirs);
        printf("  --policy-dir DIR, when given\n");
        printf("  $PCRSIM_POLICY_DIR%s%s%s\n", dirs[DIR_ENV] ? " (now " : ", when set",
               dirs[DIR_ENV] ? dirs[DIR_ENV] : "", dirs[DIR_ENV] ? ")" : "");
        printf("  %s\n", dirs[DIR_INSTALLED]);
        printf("  %s\n", dirs[DIR_SOURCE]);
}

static bool is_dir(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int compare_names(const void *a, const void *b)
{
        return strcmp((const char *)a, (const char *)b);
}

/* Writes the platform names of folder `dir` (the files NAME.yaml with a
 * valid NAME), sorted and comma-separated, into `buf`. */
static void list_platforms(const char *dir, char *buf, size_t size)
{
        char names[MAX_LISTED][PCRSIM_MAX_POLICY_NAME + 1];
        size_t count = 0, used = 0;
        bool more = false;
        struct dirent *e;
        DIR *d = opendir(dir);

        buf[0] = '\0';
        while (d && (e = readdir(d)) != NULL) {
                size_t len = strlen(e->d_name);
                char name[PCRSIM_MAX_POLICY_NAME + 1];

                if (len <= 5 || len - 5 > PCRSIM_MAX_POLICY_NAME || strcmp(e->d_name + len - 5, ".yaml") != 0)
                        continue;
                snprintf(name, sizeof(name), "%.*s", (int)(len - 5), e->d_name);
                if (!pcrsim_policy_name_valid(name))
                        continue;
                if (count == MAX_LISTED) {
                        more = true;
                        break;
                }
                memcpy(names[count++], name, sizeof(name));
        }
        if (d)
                closedir(d);
        qsort(names, count, sizeof(names[0]), compare_names);
        for (size_t i = 0; i < count && used < size; i++) {
                int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);

                if (n < 0)
                        return;
                used += (size_t)n;
        }
        if (more && used < size)
                snprintf(buf + used, size - used, ", and more");
}

/* Prints the unknown-platform error: the folders searched and the
 * platforms of the first that exists. */
static int report_unknown(const char *name, const char *const dirs[DIR_COUNT])
{
        char searched[1024] = "", platforms[2048];
        size_t used = 0;

        for (int i = 0; i < DIR_COUNT; i++) {
                if (!dirs[i] || used >= sizeof(searched))
                        continue;
                used += (size_t)snprintf(searched + used, sizeof(searched) - used, "%s%s",
                                         used ? ", " : "", dirs[i]);
        }
        for (int i = 0; i < DIR_COUNT; i++) {
                if (!dirs[i] || !is_dir(dirs[i]))
                        continue;
                list_platforms(dirs[i], platforms, sizeof(platforms));
                cli_errorf("unknown platform '%s': no %s.yaml in %s; the platforms in %s are: %s",
                           name, name, searched, dirs[i], platforms[0] ? platforms : "(none)");
                return EXIT_INVALID;
        }
        cli_errorf("unknown platform '%s': none of the policy folders exists (%s); name one with --policy-dir",
                   name, searched);
        return EXIT_INVALID;
}

int cli_load_policy(const char *name, const char *policy_dir, struct pcrsim_policy *out,
                    char *path, size_t path_size)
{
        const char *dirs[DIR_COUNT];
        struct pcrsim_error err;

        if (!pcrsim_policy_name_valid(name)) {
                cli_errorf("invalid platform name '%s': expected 1 to %u lower-case letters, digits and hyphens, such as azure-trustedlaunch",
                           name, PCRSIM_MAX_POLICY_NAME);
                return EXIT_INVALID;
        }
        if (policy_dir && !is_dir(policy_dir)) {
                cli_errorf("invalid --policy-dir '%s': not a folder", policy_dir);
                return EXIT_INVALID;
        }
        policy_dirs(policy_dir, dirs);
        for (int i = 0; i < DIR_COUNT; i++) {
                struct stat st;
                int n;

                if (!dirs[i])
                        continue;
                n = snprintf(path, path_size, "%s/%s.yaml", dirs[i], name);
                if (n < 0 || (size_t)n >= path_size) {
                        cli_errorf("the policy folder name '%s' is too long", dirs[i]);
                        return EXIT_INVALID;
                }
                if (stat(path, &st) != 0) {
                        if (errno == ENOENT || errno == ENOTDIR)
                                continue;
                        cli_errorf("cannot read %s: %s", path, strerror(errno));
                        return EXIT_SYSTEM;
                }
                pcrsim_error_clear(&err);
                if (pcrsim_policy_load(path, name, out, &err))
                        return cli_report(&err, path);
                return EXIT_OK;
        }
        return report_unknown(name, dirs);
}
