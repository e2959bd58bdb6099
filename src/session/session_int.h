/*
 * session_int.h - the session's state, shared by session.c (statements)
 * and datadir.c (the catalog kept in the data directory).
 */
#ifndef WEIR_SESSION_INT_H
#define WEIR_SESSION_INT_H

#include "session/session.h"

struct Session {
    Catalog *catalog;
    /* the data directory (NULL: none) and its catalog file */
    char *data_dir;
    char *catalog_path;
    /* The catalog file's bytes as last read or written (NULL: there was
     * no file), to tell whether another process changed it since. */
    char *catalog_text;
    size_t catalog_len;
    /* options */
    bool batch_mode;
    bool default_batch_mode;     /* what RESET restores */
    int32_t max_batch_rows;
    bool have_seed;
    uint64_t seed;
    int64_t state_ttl_ms;
    WbClock clock;               /* SET 'weir.clock' / 'weir.clock.start' */
    bool early_fire;             /* table.exec.emit.early-fire.enabled */
    char *late_rows_path;        /* weir.late-rows.path */
    bool late_fire;              /* table.exec.emit.late-fire.enabled */
    int64_t late_fire_delay_ms;  /* table.exec.emit.late-fire.delay */
    int64_t allow_lateness_ms;   /* table.exec.emit.allow-lateness */
    int64_t early_fire_delay_ms; /* table.exec.emit.early-fire.delay */
    /* options set with SET, shown by a bare SET */
    int32_t noptions;
    char **keys;
    char **values;
};

/* datadir.c */
/* Reads the catalog file at open (nothing when there is none). */
int ses_datadir_open(Session *s, WbError *err);
/* Reads the catalog file again if it changed since the session last read
 * or wrote it. */
int ses_datadir_refresh(Session *s, WbError *err);
/* Runs a CREATE or DROP (any, temporary included) and keeps the catalog
 * file in step (session.h: DDL).  Warnings go to h. */
int ses_datadir_ddl(Session *s, const SqlStatement *stmt, const SesHandler *h, WbError *err);
/* CALL sys.<procedure>(...) (procedure.c). */
int ses_call(Session *s, const AstNode *node, const SesHandler *h, WbError *err);

#endif
