// ncursesw for Swift. SwiftPM drops pkg-config's -D flags, so the wide-character API is
// switched on here; macros, variadic calls and C globals (which Swift 6 rejects as shared
// mutable state) are wrapped as inline functions. Only Console's terminal driver imports this.
#ifndef TASER_NCURSES_SHIM_H
#define TASER_NCURSES_SHIM_H
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <termios.h>
#include <ncursesw/curses.h>

static inline WINDOW *taser_stdscr(void) { return stdscr; }
static inline int taser_lines(void) { return LINES; }
static inline int taser_cols(void) { return COLS; }
static inline int taser_colors(void) { return COLORS; }
static inline int taser_color_pairs(void) { return COLOR_PAIRS; }
static inline void taser_set_escdelay(int ms) { set_escdelay(ms); }
static inline attr_t taser_a_normal(void) { return A_NORMAL; }
static inline attr_t taser_a_bold(void) { return A_BOLD; }
static inline attr_t taser_a_dim(void) { return A_DIM; }
static inline attr_t taser_a_underline(void) { return A_UNDERLINE; }
static inline attr_t taser_a_reverse(void) { return A_REVERSE; }
static inline int taser_key_resize(void) { return KEY_RESIZE; }
static inline int taser_key_up(void) { return KEY_UP; }
static inline int taser_key_down(void) { return KEY_DOWN; }
static inline int taser_key_left(void) { return KEY_LEFT; }
static inline int taser_key_right(void) { return KEY_RIGHT; }
static inline int taser_key_ppage(void) { return KEY_PPAGE; }
static inline int taser_key_npage(void) { return KEY_NPAGE; }
static inline int taser_key_home(void) { return KEY_HOME; }
static inline int taser_key_end(void) { return KEY_END; }
static inline int taser_key_backspace(void) { return KEY_BACKSPACE; }
static inline int taser_key_dc(void) { return KEY_DC; }
static inline int taser_key_enter(void) { return KEY_ENTER; }
static inline int taser_key_btab(void) { return KEY_BTAB; }
static inline int taser_key_f(int n) { return KEY_F(n); }
static inline int taser_key_code_yes(void) { return KEY_CODE_YES; }
static inline int taser_ok(void) { return OK; }
static inline int taser_err(void) { return ERR; }
/// A screen on this process's stdin and stdout, or NULL when the terminal cannot be used
/// (initscr would print its own message and exit instead of letting the caller say why).
static inline SCREEN *taser_newterm(void) { return newterm(NULL, stdout, stdin); }
/// Reads one wide character or key code from stdscr: OK (a character), KEY_CODE_YES (a key
/// code) or ERR (the timeout passed).
static inline int taser_get(unsigned int *out) {
    wint_t c = 0;
    int rc = wget_wch(stdscr, &c);
    *out = (unsigned int)c;
    return rc;
}
static inline void taser_timeout(int ms) { wtimeout(stdscr, ms); }
static inline int taser_height(void) { return getmaxy(stdscr); }
static inline int taser_width(void) { return getmaxx(stdscr); }
/// The next refresh repaints the whole screen (resize, Ctrl-L): the only time it is cleared.
static inline void taser_clear_next(void) { clearok(stdscr, TRUE); }
static inline int taser_refresh(void) { return wrefresh(stdscr); }
static inline void taser_setup_input(void) {
    cbreak();
    /* Ctrl-S saves in the console's editors: take it (and Ctrl-Q) from terminal flow control,
       which would otherwise freeze the screen. endwin restores the shell's modes. */
    {
        struct termios t;
        if (tcgetattr(0, &t) == 0) {
            t.c_iflag &= ~(tcflag_t)IXON;
            tcsetattr(0, TCSANOW, &t);
        }
    }
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    /* Home and End as VT220-style terminals send them whatever TERM says (tmux, screen, PuTTY:
       ESC [1~ and ESC [4~; rxvt: ESC [7~ and ESC [8~): without these an End typed "4~". */
    define_key("\033[1~", KEY_HOME);
    define_key("\033[4~", KEY_END);
    define_key("\033[7~", KEY_HOME);
    define_key("\033[8~", KEY_END);
    define_key("\033[H", KEY_HOME);
    define_key("\033[F", KEY_END);
    leaveok(stdscr, TRUE);
    scrollok(stdscr, FALSE);
}
/// Draws UTF-8 text at (y, x) with attributes and a colour pair.
static inline int taser_put(int y, int x, const char *utf8, int bytes, attr_t attrs, short pair) {
    attr_set(attrs, pair, NULL);
    return mvaddnstr(y, x, utf8, bytes);
}
#endif
