/* gale — file I/O for test images through ARM semihosting (QEMU opens host
 * files): the newlib system calls _open/_close/_read/_write/_lseek/_fstat/
 * _isatty, replacing libnosys' stubs, so that portable tests can fopen their
 * data files. Test images only (gale itself never touches files on the MCU). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gale/arch.h"

/* GALE_SYSCALL: these are called only from newlib (fopen -> _open_r -> _open),
 * whose archive members the linker pulls in after the LTO plugin has decided
 * which IR symbols anyone needs: with -flto (GALE_LTO) they would be dropped
 * and libnosys' failing stubs linked instead. `used` keeps them. */
#define GALE_SYSCALL __attribute__((used))

int _open(const char *name, int flags, int mode);
int _close(int fd);
int _read(int fd, char *buf, int len);
int _write(int fd, const char *buf, int len);
int _lseek(int fd, int off, int whence);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);

#define SH_OPEN 0x01u
#define SH_CLOSE 0x02u
#define SH_WRITE 0x05u
#define SH_READ 0x06u
#define SH_SEEK 0x0Au
#define SH_FLEN 0x0Cu
#define MAX_FILES 16
#define FD_BASE 3

static int sh_handle[MAX_FILES];
static int sh_pos[MAX_FILES];
static unsigned char sh_used[MAX_FILES];

static int sh_call(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return (int)r0;
}

static int sh_slot(int fd)
{
    int i = fd - FD_BASE;
    if (i < 0 || i >= MAX_FILES || !sh_used[i]) {
        errno = EBADF;
        return -1;
    }
    return i;
}

GALE_SYSCALL int _open(const char *name, int flags, int mode)
{
    (void)mode;
    int i = 0;
    while (i < MAX_FILES && sh_used[i])
        i++;
    if (i == MAX_FILES) {
        errno = EMFILE;
        return -1;
    }
    /* semihosting modes: 1 = "rb", 3 = "r+b", 5 = "wb", 9 = "ab" */
    uint32_t m = 1;
    if ((flags & O_ACCMODE) == O_RDWR) m = 3;
    else if ((flags & O_ACCMODE) == O_WRONLY) m = (flags & O_APPEND) ? 9u : 5u;
    uint32_t args[3] = { (uint32_t)(uintptr_t)name, m, (uint32_t)strlen(name) };
    int h = sh_call(SH_OPEN, args);
    if (h < 0) {
        errno = ENOENT;
        return -1;
    }
    sh_used[i] = 1;
    sh_handle[i] = h;
    sh_pos[i] = 0;
    return i + FD_BASE;
}

GALE_SYSCALL int _close(int fd)
{
    int i = sh_slot(fd);
    if (i < 0)
        return fd < FD_BASE ? 0 : -1;
    uint32_t args[1] = { (uint32_t)sh_handle[i] };
    sh_used[i] = 0;
    return sh_call(SH_CLOSE, args) == 0 ? 0 : -1;
}

GALE_SYSCALL int _read(int fd, char *buf, int len)
{
    int i = sh_slot(fd);
    if (i < 0)
        return -1;
    uint32_t args[3] = { (uint32_t)sh_handle[i], (uint32_t)(uintptr_t)buf, (uint32_t)len };
    int left = sh_call(SH_READ, args);   /* bytes NOT read */
    int n = len - left;
    sh_pos[i] += n;
    return n;
}

GALE_SYSCALL int _write(int fd, const char *buf, int len)
{
    if (fd == 1 || fd == 2) {
        char chunk[65];
        int done = 0;
        while (done < len) {
            int k = len - done < 64 ? len - done : 64;
            memcpy(chunk, buf + done, (size_t)k);
            chunk[k] = '\0';
            gale_arch_console_write(chunk);
            done += k;
        }
        return len;
    }
    int i = sh_slot(fd);
    if (i < 0)
        return -1;
    uint32_t args[3] = { (uint32_t)sh_handle[i], (uint32_t)(uintptr_t)buf, (uint32_t)len };
    int left = sh_call(SH_WRITE, args);
    sh_pos[i] += len - left;
    return len - left;
}

GALE_SYSCALL int _lseek(int fd, int off, int whence)
{
    int i = sh_slot(fd);
    if (i < 0)
        return -1;
    int base = 0;
    if (whence == SEEK_CUR) {
        base = sh_pos[i];
    } else if (whence == SEEK_END) {
        uint32_t a[1] = { (uint32_t)sh_handle[i] };
        base = sh_call(SH_FLEN, a);
        if (base < 0)
            return -1;
    }
    int pos = base + off;
    uint32_t args[2] = { (uint32_t)sh_handle[i], (uint32_t)pos };
    if (sh_call(SH_SEEK, args) != 0) {
        errno = EINVAL;
        return -1;
    }
    sh_pos[i] = pos;
    return pos;
}

GALE_SYSCALL int _fstat(int fd, struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_mode = fd < FD_BASE ? S_IFCHR : S_IFREG;
    return 0;
}

GALE_SYSCALL int _isatty(int fd)
{
    return fd < FD_BASE;
}
