/* Character classes and case mapping, ASCII only: every byte above 0x7F
 * and EOF is in no class and maps to itself. */
#ifndef LIBC_CTYPE_H
#define LIBC_CTYPE_H

int isalnum(int c);
int isalpha(int c);
int isdigit(int c);
int isxdigit(int c);
int isspace(int c);
int isupper(int c);
int islower(int c);
int isprint(int c);
int isgraph(int c);
int ispunct(int c);
int iscntrl(int c);
int tolower(int c);
int toupper(int c);

#endif
