/* The legacy 8259 PIC pair: remapped off the exception vectors and masked. */
#ifndef PC_PIC_H
#define PC_PIC_H

void pic_disable(void);

#endif
