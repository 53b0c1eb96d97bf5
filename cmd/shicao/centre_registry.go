package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"shicao/cmd/shicao/internal/centre"
)

// The centre's registry: exam sites and the stations at them (the
// equipment is in centre_equipment.go).

func centreSiteCmd() *Command {
	return &Command{
		UsageLine: "centre site",
		Short:     "the exam sites (考点) and training institutions' sites",
		Commands:  []*Command{centreSiteAddCmd(), centreSiteListCmd()},
	}
}

func centreSiteAddCmd() *Command {
	c := &Command{
		UsageLine: "centre site add --id ID --name NAME (--accepted | --training)",
		Short:     "register a site, or change its name or kind",
		Long: "Examples:\n  shicao centre site add --id TA-KD-01 --name 泰安市第一考点 --accepted\n" +
			"  shicao centre site add --id TA-PX-01 --name 某培训学校 --training\n",
	}
	data := addCentreData(&c.Flag)
	id := c.Flag.String("id", "", "the site's id")
	name := c.Flag.String("name", "", "the site's name")
	accepted := c.Flag.Bool("accepted", false, "an accepted exam site (考点)")
	training := c.Flag.Bool("training", false, "a training institution's site: no exam may run there (考培分离)")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if *id == "" || *accepted == *training {
			return usagef("centre site add: give --id and exactly one of --accepted and --training")
		}
		if strings.TrimSpace(*name) == "" {
			return usagef("centre site add: give --name, the site's name as the province lists it")
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			s := centre.Site{ID: *id, Name: strings.TrimSpace(*name), Accepted: *accepted}
			was, err := ce.PutSite(ctx, s)
			if err != nil {
				return err
			}
			return printSiteChange(ctx, e, ce, was, s)
		})
	}
	return c
}

// printSiteChange says what registering s changed, was being the site
// before (nil: a new one).
func printSiteChange(ctx context.Context, e *env, ce *centre.Centre, was *centre.Site, s centre.Site) error {
	switch {
	case was == nil:
		fmt.Fprintf(e.stdout, "site %s %s: %s\n", s.ID, s.Name, siteKind(s.Accepted))
		return nil
	case *was == s:
		fmt.Fprintf(e.stdout, "site %s %s is already registered as an %s: nothing changed\n", s.ID, s.Name, siteKind(s.Accepted))
		return nil
	}
	if was.Name != s.Name {
		fmt.Fprintf(e.stdout, "site %s renamed from %s to %s\n", s.ID, was.Name, s.Name)
	}
	switch {
	case was.Accepted == s.Accepted:
	case s.Accepted:
		fmt.Fprintf(e.stdout, "site %s was a training institution's site, now an accepted exam site: exams may run there, with its registered equipment\n", s.ID)
	default:
		stations, err := ce.Stations(ctx, s.ID)
		if err != nil {
			return err
		}
		msg := fmt.Sprintf("site %s was an accepted exam site, now a training institution's site: no exam may run there (考培分离)", s.ID)
		if len(stations) > 0 {
			var names []string
			for _, st := range stations {
				names = append(names, st.Name)
			}
			msg += fmt.Sprintf("; results from its stations (%s) are refused from now on", strings.Join(names, ", "))
		}
		fmt.Fprintln(e.stdout, msg)
	}
	return nil
}

func siteKind(accepted bool) string {
	if accepted {
		return "accepted exam site"
	}
	return "training institution's site (no exams)"
}

func centreSiteListCmd() *Command {
	c := &Command{
		UsageLine: "centre site list",
		Short:     "the registered sites, with their stations and devices",
		Long:      "Examples:\n  shicao centre site list --data /var/lib/shicao/centre\n",
	}
	data := addCentreData(&c.Flag)
	c.Run = func(ctx context.Context, e *env, args []string) error {
		return data.with(ctx, func(ce *centre.Centre) error {
			list, err := ce.Sites(ctx)
			if err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintln(e.stdout, "no site is registered (register one: shicao centre site add)")
				return nil
			}
			t := &table{right: map[int]bool{3: true, 4: true}}
			t.add("site", "name", "kind", "stations", "devices")
			for _, s := range list {
				kind := "accepted"
				if !s.Accepted {
					kind = "training"
				}
				t.add(s.ID, s.Name, kind, strconv.Itoa(s.Stations), strconv.Itoa(s.Devices))
			}
			return t.write(e.stdout)
		})
	}
	return c
}

// knownSite refuses a --site filter naming no registered site: an empty
// list would read as "nothing there".
func knownSite(ctx context.Context, c *centre.Centre, site string) error {
	if site == "" {
		return nil
	}
	if _, err := c.SiteByID(ctx, site); errors.Is(err, centre.ErrNotFound) {
		return fmt.Errorf("site %s is not registered (the sites: shicao centre site list)", site)
	} else if err != nil {
		return err
	}
	return nil
}

func centreStationCmd() *Command {
	return &Command{
		UsageLine: "centre station",
		Short:     "the exam stations and their keys",
		Commands:  []*Command{centreStationAddCmd(), centreStationListCmd()},
	}
}

func centreStationAddCmd() *Command {
	c := &Command{
		UsageLine: "centre station add --name NAME --site SITE --pub STATION.pub [--replace]",
		Short:     "register a station at a site (--replace: give a registered station a new key)",
		Long: "Examples:\n  shicao centre station add --name STN-01 --site TA-KD-01 --pub station.pub\n" +
			"  shicao centre station add --name STN-01 --site TA-KD-01 --pub new-station.pub --replace\n",
	}
	data := addCentreData(&c.Flag)
	name := c.Flag.String("name", "", "the station's name")
	site := c.Flag.String("site", "", "the site it stands at (at a training institution's site it runs in training mode only)")
	pub := c.Flag.String("pub", "", "the station's verifier key file (station.pub)")
	replace := c.Flag.Bool("replace", false, "replace a registered station's key (a new machine or a new key); what the old key signed is refused afterwards")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if *name == "" || *site == "" || *pub == "" {
			return usagef("centre station add: give --name, --site and --pub")
		}
		b, err := os.ReadFile(*pub)
		if err != nil {
			return err
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			st := centre.Station{Name: *name, Site: *site, Key: strings.TrimSpace(string(b))}
			was, err := ce.PutStation(ctx, st, *replace)
			if err != nil {
				return err
			}
			printStationChange(e, was, st)
			if s, err := ce.SiteByID(ctx, st.Site); err == nil && !s.Accepted {
				fmt.Fprintf(e.stdout, "site %s is a training institution's site (考培分离): station %s runs in training mode only; no exam may run there, and its results are never exam results\n", st.Site, st.Name)
			}
			return nil
		})
	}
	return c
}

// printStationChange says what registering st changed, was being the
// station before (nil: a new one).
func printStationChange(e *env, was *centre.Station, st centre.Station) {
	key := centre.ShortKey(st.Key)
	switch {
	case was == nil:
		fmt.Fprintf(e.stdout, "station %s registered at site %s with key %s\n", st.Name, st.Site, key)
	case was.Site == st.Site && was.Key == st.Key:
		fmt.Fprintf(e.stdout, "station %s is already registered at site %s with key %s: nothing changed\n", st.Name, st.Site, key)
	default:
		if was.Site != st.Site {
			fmt.Fprintf(e.stdout, "station %s moved from site %s to %s\n", st.Name, was.Site, st.Site)
		}
		if was.Key != st.Key {
			fmt.Fprintf(e.stdout, "station %s's key replaced: old %s, new %s; what the old key signed is refused from now on\n", st.Name, centre.ShortKey(was.Key), key)
		}
	}
}

func centreStationListCmd() *Command {
	c := &Command{
		UsageLine: "centre station list [--site SITE]",
		Short:     "the registered stations and their keys",
		Long:      "Examples:\n  shicao centre station list --data /var/lib/shicao/centre\n",
	}
	data := addCentreData(&c.Flag)
	site := c.Flag.String("site", "", "only the stations at this site")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		return data.with(ctx, func(ce *centre.Centre) error {
			if err := knownSite(ctx, ce, *site); err != nil {
				return err
			}
			list, err := ce.Stations(ctx, *site)
			if err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintln(e.stdout, "no station is registered (register one: shicao centre station add)")
				return nil
			}
			t := &table{}
			t.add("station", "site", "key")
			for _, st := range list {
				t.add(st.Name, st.Site, centre.ShortKey(st.Key))
			}
			return t.write(e.stdout)
		})
	}
	return c
}
