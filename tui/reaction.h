/* reaction: what a key handler or an action asks the app to do once it returns, as bits
 * (htop's Htop_Reaction): the handler changes state and says what follows from it; the
 * app draws, lays out or quits. Pure definitions. */
#ifndef PXC_TUI_REACTION_H
#define PXC_TUI_REACTION_H

#define R_NONE 0x00u
#define R_REDRAW 0x01u     /* state on screen changed (a view's, a dialog): draw a frame */
#define R_RELAYOUT 0x02u   /* sizes changed: layout everything again */
#define R_QUIT 0x04u       /* leave the console */
#define R_HINTS 0x08u      /* the focus moved: status-bar hints change */
#define R_UNHANDLED 0x100u /* not this handler's key: try the next scope */

#endif
