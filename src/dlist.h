/* dlist.h: an intrusive list from oldest to newest, for the tables that let their oldest
 * entries go first (scan sources, fragments awaiting their first, the evidence's held
 * flows). The links sit in the entry (struct itm_dnode); ITM_DLIST_ENTRY finds the entry
 * from its links. Nothing is allocated here. */
#ifndef ITMSCOPE_DLIST_H
#define ITMSCOPE_DLIST_H

#include <stddef.h>

struct itm_dnode {
    struct itm_dnode *older, *newer;
};

struct itm_dlist {
    struct itm_dnode *oldest, *newest;
};

#define ITM_DLIST_ENTRY(node, type, member)                                                    \
    ((type *)(void *)((char *)(node) - offsetof(type, member)))
/* The list's oldest entry, NULL when it is empty. */
#define ITM_DLIST_OLDEST(list, type, member)                                                   \
    ((list)->oldest ? ITM_DLIST_ENTRY((list)->oldest, type, member) : NULL)

/* Takes n out of the list; its links are cleared. */
static inline void itm_dlist_unlink(struct itm_dlist *l, struct itm_dnode *n)
{
    if (n->older)
        n->older->newer = n->newer;
    else
        l->oldest = n->newer;
    if (n->newer)
        n->newer->older = n->older;
    else
        l->newest = n->older;
    n->older = n->newer = NULL;
}

/* Puts n, in no list, at the newest end. */
static inline void itm_dlist_append(struct itm_dlist *l, struct itm_dnode *n)
{
    n->older = l->newest;
    n->newer = NULL;
    if (l->newest)
        l->newest->newer = n;
    else
        l->oldest = n;
    l->newest = n;
}

/* Moves n, in the list, to its newest end. */
static inline void itm_dlist_move_newest(struct itm_dlist *l, struct itm_dnode *n)
{
    if (l->newest == n)
        return;
    itm_dlist_unlink(l, n);
    itm_dlist_append(l, n);
}

#endif
