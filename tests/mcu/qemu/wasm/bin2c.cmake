# cmake -DIN=file.wasm -DOUT=file.c -DNAME=sym -P bin2c.cmake
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE ${OUT} "/* generated from ${IN} */\n#include <stddef.h>\n#include <stdint.h>\nconst uint8_t ${NAME}[] = {${body}};\nconst size_t ${NAME}_len = ${len};\n")
