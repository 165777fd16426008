/* internal.h: what the files of the arabic module share; not for other
 * modules. */
#ifndef NABA_ARABIC_INTERNAL_H
#define NABA_ARABIC_INTERNAL_H

#include <unicode/umachine.h>

/* ASCII for a case-folded Latin letter whose mark no decomposition
 * removes (ø -> "o", æ -> "ae"), or NULL. */
const char *ar_latin_ascii(UChar32 c);

#endif
