__attribute__((import_module("test:x/api"), import_name("add"))) int imp_add(int, int);
__attribute__((import_module("test:x/api"), import_name("[async-lower]wait"))) int imp_wait(int, int*);
__attribute__((import_module("[export]$root"), import_name("[task-return]run"))) void task_ret(int);
__attribute__((import_module("$root"), import_name("[waitable-set-new]"))) int wsnew(void);
static char heap[4096]; static int hp;
__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *o, int os, int al, int ns) { (void)o;(void)os; hp=(hp+al-1)&~(al-1); void*p=heap+hp; hp+=ns; return p; }
__attribute__((export_name("greet"))) int greet(char *s, int n) { return imp_add(n, s[0]); }
__attribute__((export_name("[async-lift]run"))) int run(void) { static int r; imp_wait(3,&r); task_ret(r); return 0; }
__attribute__((export_name("[callback][async-lift]run"))) int cb(int a, int b, int c) { (void)a;(void)b;(void)c; return wsnew(); }
