/* import/wxr_queue.c: the two threads of a WordPress import. A thread of
 * its own reads the file (libxml2) and sanitizes each post's and page's
 * HTML (gumbo), while the calling thread writes: on two cores the reading,
 * about a fifth of an import's time, no longer adds to the writing. What
 * is read travels as jobs, in the file's order, through a queue of at most
 * QUEUE_JOBS jobs and QUEUE_BYTES bytes (one job goes through whatever its
 * size), so memory stays bounded. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"
#include "import/internal.h"

#define QUEUE_JOBS 64
#define QUEUE_BYTES (32u << 20)

enum { J_SITE, J_AUTHOR, J_TERM, J_ITEM };

typedef struct job job;
struct job {
  job *next;
  int kind;
  arena_t a; /* the strings and arrays below */
  size_t bytes;
  union { /* as kind says */
    imp_wxr_site site;
    imp_wxr_author author;
    imp_wxr_term term;
    imp_wxr_item item; /* content "" when body holds it sanitized */
  };
  buf_t body;
  int html_rc;
  imp_galleries *galleries; /* a post's [gallery] images, or NULL */
  int oom;
};

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t changed;
  job *head, *tail;
  size_t jobs, bytes;
  int done;         /* the reader has finished: read_rc, why */
  int stop;         /* the writer gave up: the reader stops */
  const char *path; /* the file */
  int read_rc;
  char why[400];
} queue;

/* Copies of the reader's strings, which live during its callback only;
 * out of memory, "" and j->oom. */
static const char *keep(job *j, const char *s) {
  size_t n = strlen(s);
  char *c = arena_strndup(&j->a, s, n);
  j->bytes += n + 1;
  j->oom |= !c;
  return c ? c : "";
}

static job *job_new(int kind) {
  job *j = calloc(1, sizeof *j);
  if (j)
    j->kind = kind;
  return j;
}

static void job_free(job *j) {
  arena_free(&j->a);
  buf_free(&j->body);
  free(j);
}

/* Hands j to the writer; waits while the queue is full. NB_EIO (never
 * reported: the writer's own error is) when the writer has stopped. */
static int push(queue *q, job *j) {
  size_t bytes = j->bytes + j->body.len;
  if (j->oom || j->body.oom) {
    job_free(j);
    return NB_ENOMEM;
  }
  pthread_mutex_lock(&q->lock);
  while (!q->stop && q->head &&
         (q->jobs >= QUEUE_JOBS || q->bytes + bytes > QUEUE_BYTES))
    pthread_cond_wait(&q->changed, &q->lock);
  int stopped = q->stop;
  if (!stopped) {
    if (q->tail)
      q->tail->next = j;
    else
      q->head = j;
    q->tail = j;
    q->jobs++;
    q->bytes += bytes;
    pthread_cond_broadcast(&q->changed);
  }
  pthread_mutex_unlock(&q->lock);
  if (stopped)
    job_free(j);
  return stopped ? NB_EIO : NB_OK;
}

/* The next job, or NULL once the reader is done and the queue empty. */
static job *pop(queue *q) {
  pthread_mutex_lock(&q->lock);
  while (!q->head && !q->done)
    pthread_cond_wait(&q->changed, &q->lock);
  job *j = q->head;
  if (j) {
    q->head = j->next;
    if (!q->head)
      q->tail = NULL;
    q->jobs--;
    q->bytes -= j->bytes + j->body.len;
    pthread_cond_broadcast(&q->changed);
  }
  pthread_mutex_unlock(&q->lock);
  return j;
}

static int read_site(void *ctx, const imp_wxr_site *s) {
  job *j = job_new(J_SITE);
  if (!j)
    return NB_ENOMEM;
  j->site = (imp_wxr_site){keep(j, s->title),        keep(j, s->link),
                           keep(j, s->description),  keep(j, s->language),
                           keep(j, s->wxr_version),  keep(j, s->base_site_url),
                           keep(j, s->base_blog_url)};
  return push(ctx, j);
}

static int read_author(void *ctx, const imp_wxr_author *a) {
  job *j = job_new(J_AUTHOR);
  if (!j)
    return NB_ENOMEM;
  j->author = (imp_wxr_author){a->id,
                               keep(j, a->login),
                               keep(j, a->email),
                               keep(j, a->display_name),
                               keep(j, a->first_name),
                               keep(j, a->last_name)};
  return push(ctx, j);
}

static imp_wxr_term keep_term(job *j, const imp_wxr_term *t) {
  return (imp_wxr_term){t->term_id,         keep(j, t->taxonomy),
                        keep(j, t->slug),   keep(j, t->name),
                        keep(j, t->parent), keep(j, t->description)};
}

static int read_term(void *ctx, const imp_wxr_term *t) {
  job *j = job_new(J_TERM);
  if (!j)
    return NB_ENOMEM;
  j->term = keep_term(j, t);
  return push(ctx, j);
}

static int read_item(void *ctx, const imp_wxr_item *it) {
  job *j = job_new(J_ITEM);
  if (!j)
    return NB_ENOMEM;
  imp_wxr_item *c = &j->item;
  *c = *it;
  c->content = ""; /* the body goes sanitized; other items need none */
  size_t nc = strlen(it->content);
  if (imp_wxr_has_body(it))
    j->html_rc = imp_html_sanitize(it->content, nc, &j->body);
  if (imp_wxr_has_body(it) && memmem(it->content, nc, "[gallery", 8)) {
    imp_galleries g;
    imp_shortcode_galleries(it->content, nc, &g);
    if ((g.n || g.attached) &&
        (j->galleries = arena_alloc(&j->a, sizeof g)) != NULL)
      *j->galleries = g;
    j->oom |= !j->galleries && (g.n || g.attached);
  }
  c->title = keep(j, it->title);
  c->link = keep(j, it->link);
  c->guid = keep(j, it->guid);
  c->pub_date = keep(j, it->pub_date);
  c->creator = keep(j, it->creator);
  c->excerpt = keep(j, it->excerpt);
  c->date = keep(j, it->date);
  c->date_gmt = keep(j, it->date_gmt);
  c->slug = keep(j, it->slug);
  c->status = keep(j, it->status);
  c->type = keep(j, it->type);
  c->password = keep(j, it->password);
  c->attachment_url = keep(j, it->attachment_url);
  c->comment_status = keep(j, it->comment_status);
  c->image_url = keep(j, it->image_url);
  c->terms = arena_alloc(&j->a, (it->nterms + 1) * sizeof *c->terms);
  c->comments = arena_alloc(&j->a, (it->ncomments + 1) * sizeof *c->comments);
  if (!c->terms || !c->comments) {
    job_free(j);
    return NB_ENOMEM;
  }
  for (size_t i = 0; i < it->nterms; i++)
    c->terms[i] = keep_term(j, &it->terms[i]);
  for (size_t i = 0; i < it->ncomments; i++) {
    const imp_wxr_comment *m = &it->comments[i];
    c->comments[i] = (imp_wxr_comment){m->id,
                                       m->parent,
                                       m->user_id,
                                       keep(j, m->author),
                                       keep(j, m->email),
                                       keep(j, m->url),
                                       keep(j, m->ip),
                                       keep(j, m->date),
                                       keep(j, m->date_gmt),
                                       keep(j, m->content),
                                       keep(j, m->approved),
                                       keep(j, m->type)};
  }
  return push(ctx, j);
}

static void *reader(void *arg) {
  queue *q = arg;
  imp_wxr_handler h = {q, read_site, read_author, read_term, read_item};
  char why[sizeof q->why] = "";
  int rc = imp_wxr_read(q->path, &h, why, sizeof why);
  pthread_mutex_lock(&q->lock);
  q->read_rc = rc;
  memcpy(q->why, why, sizeof why);
  q->done = 1;
  pthread_cond_broadcast(&q->changed);
  pthread_mutex_unlock(&q->lock);
  return NULL;
}

static int write_job(imp_wxr_importer *im, const job *j) {
  switch (j->kind) {
  case J_SITE:
    return imp_wxr_on_site(im, &j->site);
  case J_AUTHOR:
    return imp_wxr_on_author(im, &j->author);
  case J_TERM:
    return imp_wxr_on_term(im, &j->term);
  default:
    return imp_wxr_on_item(im, &j->item, &j->body, j->html_rc, j->galleries);
  }
}

/* Reads path on the reading thread and writes what it gives here. On the
 * writer's error the reader is stopped; on the reader's, why says it. */
int imp_wxr_read_and_write(imp_wxr_importer *im, const char *path, char *why,
                           size_t whylen) {
  queue q = {.path = path};
  pthread_t t;
  int rc = NB_OK;
  job *j;

  pthread_mutex_init(&q.lock, NULL);
  pthread_cond_init(&q.changed, NULL);
  if (pthread_create(&t, NULL, reader, &q) != 0) {
    rc = NB_ENOMEM;
    snprintf(why, whylen, "cannot start the reading thread");
    goto out;
  }
  while (rc == NB_OK && (j = pop(&q))) {
    rc = write_job(im, j);
    job_free(j);
  }
  if (rc != NB_OK) {
    pthread_mutex_lock(&q.lock);
    q.stop = 1;
    pthread_cond_broadcast(&q.changed);
    pthread_mutex_unlock(&q.lock);
  }
  pthread_join(t, NULL);
  while ((j = q.head)) {
    q.head = j->next;
    job_free(j);
  }
  if (rc == NB_OK && q.read_rc != NB_OK) {
    rc = q.read_rc;
    snprintf(why, whylen, "%s", q.why);
  }
out:
  pthread_cond_destroy(&q.changed);
  pthread_mutex_destroy(&q.lock);
  return rc;
}
