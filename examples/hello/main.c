/* examples/hello — placeholder until the kernel lands (issue 2). */
#include <stdio.h>
int main(void)
{
    puts("gale: the kernel has not landed yet; examples/hello is a placeholder.");
    return 0;
}
