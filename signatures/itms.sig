# itms.sig: signatures of Symantec IT Management Suite (ITMS) 8.x traffic. One rule per row
# of the ITMS 8.x ports and protocols table (tests/data/itms-8x-ports.csv), in table order,
# with the table's id. Format: README.md in this directory.
#
# The table gives directions relative to each component ("in", "out", "in+out"); every rule
# here resolves that into who connects (client) and who listens (server). Where the table
# is odd, the rule keeps what the table says and a comment explains.

# ---------------------------------------------------------------------------------------
# Symantec Installation Manager
# ---------------------------------------------------------------------------------------

# SIM only downloads; it opens no listening port (e.g. https://www.solutionsam.com).
[rule]
id           = sim-web
suite        = "Symantec Installation Manager"
component    = "SIM downloads"
protos       = tcp
ports        = 80;443
client       = sim-host
server       = vendor-site
configurable = no
check        = http
note         = "SIM downloads product files from vendor sites; SIM opens no port"

[rule]
id           = sim-sql
suite        = "Symantec Installation Manager"
component    = "SIM to MS SQL"
protos       = tcp
ports        = 1433
client       = sim-host
server       = sql-server
configurable = "MS SQL Server configuration (custom or dynamic port)"
note         = "SIM connects to the CMDB on MS SQL over TCP/IP"

[rule]
id           = sim-sql-browser
suite        = "Symantec Installation Manager"
component    = "SIM to SQL Browser"
protos       = udp
ports        = 1434
client       = sim-host
server       = sql-server
configurable = no
note         = "finds the port of a dynamic or custom SQL instance; also SQL server discovery"

[rule]
id           = sim-dns
suite        = "Symantec Installation Manager"
component    = "SIM name resolution"
protos       = tcp;udp
ports        = 53
client       = sim-host
server       = dns-server
configurable = no
check        = dns
note         = "resolves the SQL server name"

# ---------------------------------------------------------------------------------------
# Notification Server
# ---------------------------------------------------------------------------------------

[rule]
id           = ns-console
suite        = "Notification Server"
component    = "NS console / remote console"
protos       = tcp
ports        = 80;443
client       = console
server       = notification-server
services     = W3SVC
configurable = "port of the IIS web site that hosts Notification Server"
check        = http
paths        = /Altiris/Console/;/Altiris/NS/Console/;/Altiris/Resource/;/Altiris/NS/Reports/
note         = "remote console downloads the console application and content"

# "in+out" in the table: the Internet Gateway connects to the CEM IIS site on the NS.
# The CEM site is an HTTPS binding, hence the TLS check.
[rule]
id           = ns-cem
suite        = "Notification Server"
component    = "Cloud-enabled Management agent site"
protos       = tcp
ports        = 4726
client       = internet-gateway
server       = notification-server
services     = W3SVC
# On that page: "Cloud enabled Management Agent IIS Website Settings".
configurable = "Settings > Notification Server > Cloud-enabled Management > Setup"
check        = tls
note         = "Internet Gateway forwards cloud-enabled agents to the NS CEM site"

# The target of a push install is not yet an agent; agent is the role it is about to take.
[rule]
id           = ns-push-netlogon
suite        = "Notification Server"
component    = "Agent push install (NETLOGON)"
protos       = udp
ports        = 138
client       = notification-server
server       = agent
services     = AexSvc
configurable = no
note         = "NetBIOS datagram (NETLOGON) opening a push install"

[rule]
id           = ns-push-smb
suite        = "Notification Server"
component    = "Agent push install (SMB)"
protos       = tcp
ports        = 445
client       = notification-server
server       = agent
services     = AexSvc
configurable = no
check        = smb
note         = "NS copies and starts the agent installer over SMB"

[rule]
id           = agent-initial
suite        = "Notification Server"
component    = "Agent initial connection"
protos       = tcp
ports        = 80;443
client       = agent
server       = notification-server
services     = AltirisAgentInstSvc
configurable = "port of the IIS web site that hosts Notification Server"
check        = http
paths        = /Altiris/NS/Agent/CreateResource.aspx
note         = "first connection of a newly started agent"

# ICMP echo request: the agent times package servers to pick the fastest.
[rule]
id           = agent-ping
suite        = "Notification Server"
component    = "Agent package server speed check"
protos       = icmp
icmp_type    = 8
ports        = -
client       = agent
server       = package-server
services     = AltirisAgentInstSvc
configurable = no
note         = "echo request to package servers (speed check)"

[rule]
id           = agent-policy
suite        = "Notification Server"
component    = "Agent policy update and event posting"
protos       = tcp
ports        = 80;443
client       = agent
server       = notification-server
services     = AeXNSClient
configurable = "port of the IIS web site that hosts Notification Server (any free port)"
check        = http
paths        = /Altiris/NS/Agent/
note         = "policy requests and event posting; HTTP on 80, HTTPS on 443"

[rule]
id           = ns-hierarchy
suite        = "Notification Server"
component    = "Hierarchy replication"
protos       = tcp
ports        = 80;443
client       = notification-server
server       = notification-server
services     = AexSvc;W3SVC
configurable = "URL in the Add Hierarchy Node Wizard (custom IIS port, e.g. 30000)"
check        = http
paths        = /Altiris/NS/Hierarchy/
note         = "replication between Notification Servers of a hierarchy"

[rule]
id           = ns-sql
suite        = "Notification Server"
component    = "NS to MS SQL"
protos       = tcp
ports        = 1433
client       = notification-server
server       = sql-server
services     = AexSvc;AltirisClientMsgDispatcher;AltirisReceiverService;W3SVC
configurable = "MS SQL Server configuration (custom or dynamic port)"
note         = "NS connects to the CMDB over TCP/IP"

[rule]
id           = ns-sql-browser
suite        = "Notification Server"
component    = "NS to SQL Browser"
protos       = udp
ports        = 1434
client       = notification-server
server       = sql-server
services     = AexSvc;AltirisClientMsgDispatcher;AltirisReceiverService;W3SVC
configurable = no
note         = "finds the port of a dynamic or custom SQL instance"

[rule]
id           = ns-ldap
suite        = "Notification Server"
component    = "Active Directory import (LDAP)"
protos       = tcp;udp
ports        = 389
client       = notification-server
server       = domain-controller
services     = AexSvc;W3SVC
configurable = no
note         = "AD import rules and Data Connector LDAP sources"

[rule]
id           = ns-smtp
suite        = "Notification Server"
component    = "Mail notifications (SMTP)"
protos       = tcp
ports        = 25
client       = notification-server
server       = mail-server
services     = AexSvc
configurable = "Symantec Management Console (mail server settings)"
note         = "optional; notifications from automation policies and tasks"

[rule]
id           = ns-wins
suite        = "Notification Server"
component    = "WINS import"
protos       = udp
ports        = 137
client       = notification-server
server       = wins-server
services     = AexSvc
configurable = no
check        = nbns
note         = "optional WINS import of computers"

# The article writes 1024-65536, one past the last port; the table keeps 1024-65535.
[rule]
id           = ns-data-connector
suite        = "Notification Server"
component    = "Data Connector (ODBC/OLEDB sources)"
protos       = tcp;udp
ports        = 1024-65535
client       = notification-server
server       = data-source
services     = AexSvc;W3SVC
configurable = no
flags        = broad
note         = "ODBC/OLEDB data sources; the port depends on the driver"

[rule]
id           = ns-unc-packages
suite        = "Notification Server"
component    = "Software package access over UNC"
protos       = tcp
ports        = 445
client       = notification-server
server       = file-server
services     = AexSvc;W3SVC
configurable = no
check        = smb
note         = "optional; packages reachable only by UNC path"

[rule]
id           = disc-dns
suite        = "Notification Server"
component    = "Computer discovery (DNS)"
protos       = tcp;udp
ports        = 53
client       = notification-server
server       = dns-server
services     = AexSvc;W3SVC
configurable = no
check        = dns
note         = "resolves host names and FQDNs of discovered computers"

# Discovery reaches computers of any kind, hence server = any. No check: 137 carries the
# name service, 138 the datagram service, and one check cannot confirm both.
[rule]
id           = disc-netbios-udp
suite        = "Notification Server"
component    = "Computer discovery (NetBIOS)"
protos       = udp
ports        = 137;138
client       = notification-server
server       = any
services     = AexSvc;W3SVC
configurable = no
note         = "optional; NetBIOS names of discovered computers"

[rule]
id           = disc-netbios-tcp
suite        = "Notification Server"
component    = "Computer discovery (NetBIOS session)"
protos       = tcp
ports        = 139
client       = notification-server
server       = any
services     = AexSvc;W3SVC
configurable = no
check        = smb
note         = "optional; NetBIOS session to discovered computers"

# A mixed rule: 135 (RPC endpoint mapper) is specific, 49152-65535 (the dynamic RPC range
# the endpoint mapper hands out) is broad and sorts with the broad candidates.
[rule]
id           = disc-rpc-wmi
suite        = "Notification Server"
component    = "Computer discovery (RPC/WMI)"
protos       = tcp
ports        = 135;49152-65535
client       = notification-server
server       = any
services     = AexSvc;W3SVC
configurable = no
flags        = broad
note         = "optional; OS details of discovered computers over RPC/WMI"

# The table names no client; NSDiag-like utilities run on the NS or an admin workstation.
[rule]
id           = ns-service-framework
suite        = "Notification Server"
component    = "Service Framework (NSDiag etc.)"
protos       = tcp
ports        = 9086;9988
client       = console;notification-server
server       = notification-server
configurable = no
note         = "not used by the platform itself; utilities such as NSDiag"

# ---------------------------------------------------------------------------------------
# Task Management
# ---------------------------------------------------------------------------------------

[rule]
id           = ts-http
suite        = "Task Management"
component    = "Task Server downloads tasks / posts results"
protos       = tcp
ports        = 80;443
client       = task-server
server       = notification-server
services     = AtrsHost;W3SVC
configurable = "IIS, or Altiris HTTP with Altiris.Http.config"
check        = http
paths        = /Altiris/ClientTaskServer/;/Altiris/TaskManagement/
note         = "Task Server fetches tasks from the NS and returns result XML"

# "in+out": the Task Server opens 50123 at registration and the NS tickles it there.
[rule]
id           = ts-tickle
suite        = "Task Management"
component    = "Task Server tickle"
protos       = tcp
ports        = 50123
client       = notification-server
server       = task-server
services     = AtrsHost
configurable = "Altiris.ClientTask.TickleService.config"
note         = "NS tells the Task Server that a new task is waiting"

[rule]
id           = cta-ts-list
suite        = "Task Management"
component    = "Client Task Agent gets Task Server list"
protos       = tcp
ports        = 80;443
client       = agent
server       = notification-server
services     = AeXNSClient;W3SVC
configurable = "IIS, or Altiris HTTP with Altiris.Http.config"
check        = http
paths        = /Altiris/ClientTaskServer/GetClientTaskServers.aspx
note         = "list and properties of Task Servers from the NS"

[rule]
id           = cta-tasks
suite        = "Task Management"
component    = "Client Task Agent checks tasks / posts results"
protos       = tcp
ports        = 80;443
client       = agent
server       = task-server
services     = AeXNSClient;W3SVC
configurable = "IIS, or Altiris HTTP with Altiris.Http.config"
check        = http
paths        = /Altiris/ClientTaskServer/
note         = "agent polls its Task Server and returns result XML"

# "in+out": the agent opens 50124 at registration and its Task Server tickles it there.
[rule]
id           = cta-tickle
suite        = "Task Management"
component    = "Client Task Agent tickle"
protos       = tcp
ports        = 50124
client       = task-server
server       = agent
services     = AeXNSClient
configurable = "Altiris.ClientTask.Server.config"
note         = "Task Server tells the agent that a new task is waiting"

# ---------------------------------------------------------------------------------------
# Package Server
# ---------------------------------------------------------------------------------------

[rule]
id           = ps-http
suite        = "Package Server"
component    = "Package downloads over HTTP/HTTPS"
protos       = tcp
ports        = 80;443
client       = agent
server       = package-server
services     = W3SVC
configurable = "port of the web site that hosts the Package Server"
check        = http
paths        = /Altiris/PS/
note         = "agents download packages"

[rule]
id           = ps-unc
suite        = "Package Server"
component    = "Package downloads over UNC"
protos       = tcp
ports        = 445
client       = agent
server       = package-server
services     = System
configurable = no
check        = smb
note         = "agents download packages from the UNC share"

[rule]
id           = ps-to-ns-unc
suite        = "Package Server"
component    = "Package Server pulls from NS over UNC"
protos       = tcp
ports        = 445
client       = package-server
server       = notification-server
services     = AeXNSClient
configurable = no
check        = smb
note         = "Package Server copies packages from the NS share"

# TCP cannot multicast: this is the session side of package multicasting.
[rule]
id           = ps-multicast-tcp
suite        = "Package Server"
component    = "Package multicasting"
protos       = tcp
ports        = 52030
client       = package-server
server       = agent
services     = AeXNSClient
configurable = "Symantec Management Console"
note         = "Package Server to clients during package multicasting"

# The table gives no group address, so any multicast group is accepted.
[rule]
id           = ps-multicast-udp
suite        = "Package Server"
component    = "Package multicasting"
protos       = udp
ports        = 52030
client       = package-server
server       = agent
services     = AeXNSClient
configurable = "Symantec Management Console"
flags        = multicast;one-way
note         = "package data to a multicast group of clients"

[rule]
id           = ps-rpc
suite        = "Package Server"
component    = "UNC support (RPC)"
protos       = tcp;udp
ports        = 135
client       = agent
server       = package-server
services     = RpcSs
configurable = no
note         = "RPC endpoint mapper for UNC access"

# NetBIOS sessions run over TCP; the table also lists UDP 139. The smb check applies to
# the TCP flows only.
[rule]
id           = ps-netbios-ssn
suite        = "Package Server"
component    = "UNC support (NetBIOS session)"
protos       = tcp;udp
ports        = 139
client       = agent
server       = package-server
services     = System
configurable = no
check        = smb
note         = "SMB over NetBIOS session for UNC access"

[rule]
id           = ps-netbios-ns
suite        = "Package Server"
component    = "UNC support (NetBIOS name)"
protos       = udp
ports        = 137
client       = agent
server       = package-server
services     = System
configurable = no
check        = nbns
note         = "NetBIOS name service for UNC access"

# ---------------------------------------------------------------------------------------
# Symantec Management Agent for Windows
# ---------------------------------------------------------------------------------------

[rule]
id           = win-ns-web
suite        = "Symantec Management Agent for Windows"
component    = "NS web site for agents"
protos       = tcp
ports        = 80;443
client       = agent
server       = notification-server
services     = W3SVC
configurable = "port of the web site that hosts Notification Server"
check        = http
note         = "the NS side of agent communication"

[rule]
id           = win-agent-out
suite        = "Symantec Management Agent for Windows"
component    = "Agent to NS"
protos       = tcp
ports        = 80;443
client       = agent
server       = notification-server
services     = AeXNSClient
configurable = "port of the web site that hosts Notification Server"
check        = http
paths        = /Altiris/NS/Agent/
note         = "the agent side of agent communication"

[rule]
id           = win-push
suite        = "Symantec Management Agent for Windows"
component    = "Push install target"
protos       = tcp
ports        = 445
client       = notification-server
server       = agent
services     = System
configurable = no
check        = smb
note         = "push install from the NS"

# The table says NS -> client; Task Servers send tickles and power commands too.
[rule]
id           = win-tickle-tcp
suite        = "Symantec Management Agent for Windows"
component    = "Tickle / power management"
protos       = tcp
ports        = 52028
client       = notification-server;task-server
server       = agent
services     = AeXNSClient
configurable = "Symantec Management Console"
note         = "tickle and power management messages to the agent"

[rule]
id           = win-tickle-udp
suite        = "Symantec Management Agent for Windows"
component    = "Tickle / power management"
protos       = udp
ports        = 52028
client       = notification-server;task-server
server       = agent
services     = AeXNSClient
configurable = "Symantec Management Console"
note         = "tickle and power management datagrams to the agent"

# TCP cannot multicast: kept as the table lists it, as unicast to each agent.
[rule]
id           = win-mtickle-tcp
suite        = "Symantec Management Agent for Windows"
component    = "Tickle / power management multicast"
protos       = tcp
ports        = 52029
client       = notification-server;task-server
server       = agent
services     = AeXNSClient
configurable = "Symantec Management Console"
note         = "listed by the table as TCP; multicast itself needs UDP"

[rule]
id           = win-mtickle-udp
suite        = "Symantec Management Agent for Windows"
component    = "Tickle / power management multicast"
protos       = udp
ports        = 52029
client       = notification-server
server       = agent
services     = AeXNSClient
configurable = "Symantec Management Console"
flags        = multicast;one-way
group        = 224.0.255.135
note         = "tickle to the agents' multicast group"

# "out" on both ends: agents are clients and servers of each other.
[rule]
id           = win-p2p
suite        = "Symantec Management Agent for Windows"
component    = "Peer-to-peer local HTTP server"
protos       = tcp;udp
ports        = 56118
client       = agent
server       = agent
services     = AeXNSClient
configurable = "Symantec Management Console"
check        = http
note         = "peer-to-peer package sharing; the http check applies to TCP"

# ---------------------------------------------------------------------------------------
# Symantec Management Agent for ULM (Unix, Linux, Mac)
# ---------------------------------------------------------------------------------------

[rule]
id           = ulm-ns-web
suite        = "Symantec Management Agent for ULM"
component    = "NS web site for agents"
protos       = tcp
ports        = 80;443
client       = ulm-agent
server       = notification-server
configurable = "port of the web site that hosts Notification Server"
check        = http
note         = "the NS side of ULM agent communication"

[rule]
id           = ulm-agent-ns
suite        = "Symantec Management Agent for ULM"
component    = "Agent to NS"
protos       = tcp
ports        = 80;443
client       = ulm-agent
server       = notification-server
configurable = "port of the web site that hosts Notification Server"
check        = http
paths        = /Altiris/NS/Agent/
note         = "the agent side of ULM agent communication"

[rule]
id           = ulm-agent-ps-ts
suite        = "Symantec Management Agent for ULM"
component    = "Agent to Package and Task Servers"
protos       = tcp
ports        = 80;443
client       = ulm-agent
server       = package-server;task-server
configurable = "ports of the web sites of the Package and Task Servers"
check        = http
paths        = /Altiris/PS/;/Altiris/ClientTaskServer/
note         = "packages and tasks for ULM agents"

# The ports are the agent's own source ports, not a listening port: flag source-port.
# The destinations are the NS, Package and Task Servers on their web ports.
[rule]
id           = ulm-src-ports
suite        = "Symantec Management Agent for ULM"
component    = "Client source ports"
protos       = tcp
ports        = 1024-65535
client       = ulm-agent
server       = notification-server;package-server;task-server
configurable = no
flags        = broad;source-port
note         = "source ports of ULM agent connections: random, 1024 and above"

[rule]
id           = ulm-push-ssh
suite        = "Symantec Management Agent for ULM"
component    = "Push install over SSH"
protos       = tcp
ports        = 22
client       = notification-server
server       = ulm-agent
services     = sshd
configurable = "SSHD configuration of the client"
check        = ssh
note         = "push install from the NS"

[rule]
id           = ulm-tickle-tcp
suite        = "Symantec Management Agent for ULM"
component    = "Tickle / power management"
protos       = tcp
ports        = 52028
client       = notification-server;task-server
server       = ulm-agent
configurable = "Symantec Management Console"
note         = "tickle and power management messages to the agent"

[rule]
id           = ulm-tickle-udp
suite        = "Symantec Management Agent for ULM"
component    = "Tickle / power management"
protos       = udp
ports        = 52028
client       = notification-server;task-server
server       = ulm-agent
configurable = "Symantec Management Console"
note         = "tickle and power management datagrams to the agent"

[rule]
id           = ulm-mtickle-udp
suite        = "Symantec Management Agent for ULM"
component    = "Tickle multicast"
protos       = udp
ports        = 52029
client       = notification-server
server       = ulm-agent
configurable = "Symantec Management Console"
flags        = multicast;one-way
group        = 224.0.255.135
note         = "tickle to the agents' multicast group"

# ---------------------------------------------------------------------------------------
# Activity Center
# ---------------------------------------------------------------------------------------

[rule]
id           = activity-center
suite        = "Activity Center"
component    = "Activity Center UI"
protos       = tcp
ports        = 80;443
client       = console
server       = notification-server
configurable = "not stated by the table"
check        = http
paths        = /Altiris/ActivityCenter/
note         = "browser to the Activity Center"

# ---------------------------------------------------------------------------------------
# Deployment Solution
# ---------------------------------------------------------------------------------------

# "out" from the preboot computer, to Package Servers or the NS.
[rule]
id           = ds-imaging
suite        = "Deployment Solution"
component    = "HTTP/HTTPS imaging"
protos       = tcp
ports        = 80;443
client       = pxe-client
server       = package-server;notification-server
services     = W3SVC
configurable = "not stated by the table"
check        = http
paths        = /Altiris/PS/
note         = "creating and deploying images from the preboot environment"

# 67 is used when the PXE server is not also the DHCP server; 4011 is proxyDHCP. Replies
# go to 68, so 68 is listed although the PXE server does not listen there.
[rule]
id           = ds-pxe
suite        = "Deployment Solution"
component    = "PXE network boot"
protos       = udp
ports        = 67;68;4011
client       = pxe-client
server       = deployment-server
services     = SymantecNetworkBootServicePxe
configurable = no
check        = dhcp
note         = "PXE boot (DHCP and proxyDHCP)"

[rule]
id           = ds-pxe-tcp
suite        = "Deployment Solution"
component    = "PXE communication and file transfer"
protos       = tcp
ports        = 4433
client       = pxe-client
server       = deployment-server
services     = SymantecNetworkBootServicePxe
configurable = no
note         = "PXE server communication and file transfer"

[rule]
id           = ds-tftp
suite        = "Deployment Solution"
component    = "TFTP requests"
protos       = udp
ports        = 69
client       = pxe-client
server       = deployment-server
services     = SymantecNetworkBootServiceTftp
configurable = no
check        = tftp
note         = "boot file read requests"

# The server answers a port-69 request from the first free port it finds, so the first
# packet of this flow comes from the server. The ports are the server's new port; only
# the preceding request (follows) makes such a flow TFTP rather than any UDP.
[rule]
id           = ds-tftp-data
suite        = "Deployment Solution"
component    = "TFTP file transfer (dynamic port)"
protos       = udp
ports        = 1024-65535
client       = pxe-client
server       = deployment-server
services     = SymantecNetworkBootServiceTftp
configurable = no
flags        = followup;broad
follows      = ds-tftp
check        = tftp
note         = "file transfer of a preceding port-69 request"

# ---------------------------------------------------------------------------------------
# Event Console
# ---------------------------------------------------------------------------------------

# The table names the senders only as "sender": any host may post alerts.
[rule]
id           = ec-alert-receiver
suite        = "Event Console"
component    = "Event Receiver alert port"
protos       = tcp
ports        = 8500
client       = any
server       = event-console
services     = EventReceiver
configurable = "Global Settings Item configuration XML"
note         = "alerts to the Event Receiver"

[rule]
id           = ec-alert-engine
suite        = "Event Console"
component    = "Event Engine alert port"
protos       = tcp
ports        = 8501
client       = any
server       = event-console
services     = EventEngine
configurable = "Global Settings Item configuration XML"
note         = "alerts to the Event Engine"

[rule]
id           = ec-refresh-receiver
suite        = "Event Console"
component    = "Event Receiver refresh port"
protos       = tcp
ports        = 8502
client       = any
server       = event-console
services     = EventReceiver
configurable = "Global Settings Item configuration XML"
note         = "refresh requests to the Event Receiver"

[rule]
id           = ec-refresh-engine
suite        = "Event Console"
component    = "Event Engine refresh port"
protos       = tcp
ports        = 8503
client       = any
server       = event-console
services     = EventEngine
configurable = "Global Settings Item configuration XML"
note         = "refresh requests to the Event Engine"

# No direction in the table: internal ports of the Event Console host.
[rule]
id           = ec-engine-udp
suite        = "Event Console"
component    = "Event Engine internal UDP"
protos       = udp
ports        = 64522;64523;64527;64528
client       = event-console
server       = event-console
services     = EventEngine
configurable = no
flags        = local
note         = "local to the Event Console host"

[rule]
id           = ec-snmp-trap
suite        = "Event Console"
component    = "Event Receiver SNMP traps"
protos       = udp
ports        = 162
client       = network-device
server       = event-console
services     = EventReceiver
configurable = no
flags        = one-way
check        = snmp
note         = "SNMP traps to the Event Receiver"

[rule]
id           = ec-receiver-udp
suite        = "Event Console"
component    = "Event Receiver internal UDP"
protos       = udp
ports        = 64524;64525;64526;64529
client       = event-console
server       = event-console
services     = EventReceiver
configurable = no
flags        = local
note         = "local to the Event Console host"

# ---------------------------------------------------------------------------------------
# First-Time Setup Portal
# ---------------------------------------------------------------------------------------

[rule]
id           = ftsp
suite        = "First-Time Setup Portal"
component    = "FTSP UI"
protos       = tcp
ports        = 80;443
client       = console
server       = notification-server
configurable = "not stated by the table"
check        = http
paths        = /Altiris/NS/FirstTimeSetupPortal
note         = "browser to the First-Time Setup Portal"

# ---------------------------------------------------------------------------------------
# Internet Gateway
# ---------------------------------------------------------------------------------------

# Cloud-enabled agents on the Internet, Windows or Mac.
[rule]
id           = gw-in
suite        = "Internet Gateway"
component    = "Gateway accepts CEM agents"
protos       = tcp
ports        = 443
client       = agent;ulm-agent
server       = internet-gateway
services     = SymantecManagementPlatformInternetGateway
configurable = "not stated by the table"
check        = tls
note         = "routes cloud-enabled agents to the NS CEM port (default 4726)"

# The table's "system-defined range" is the gateway's source ports; the destination is
# the NS CEM port, 4726 by default. Not a source-port rule: 4726 is the listening side.
[rule]
id           = gw-out
suite        = "Internet Gateway"
component    = "Gateway forwards to NS CEM port"
protos       = tcp
ports        = 4726
client       = internet-gateway
server       = notification-server
services     = SymantecManagementPlatformInternetGateway
configurable = "CEM port of the NS (Cloud enabled Management Agent IIS Website Settings)"
check        = tls
note         = "source ports are system-defined; destination is the NS CEM port"

# From the footnote: name resolution may need 137 over TCP and UDP.
[rule]
id           = gw-netbios
suite        = "Internet Gateway"
component    = "Name resolution for the gateway"
protos       = tcp;udp
ports        = 137
client       = internet-gateway
server       = wins-server;dns-server
configurable = no
check        = nbns
note         = "NetBIOS name resolution (may be needed); nbns applies to UDP"

# ---------------------------------------------------------------------------------------
# Inventory for Network Devices
# ---------------------------------------------------------------------------------------

[rule]
id           = nd-snmp
suite        = "Inventory for Network Devices"
component    = "SNMP protocol plug-in"
protos       = udp
ports        = 161
client       = notification-server;task-server
server       = network-device
configurable = no
check        = snmp
note         = "SNMP requests to network devices"

# The trap listener is a PPA plug-in on the NS, a Task Server or a monitor server.
[rule]
id           = nd-snmp-trap
suite        = "Inventory for Network Devices"
component    = "SNMP trap listener"
protos       = udp
ports        = 162
client       = network-device
server       = notification-server;task-server;monitor-server
configurable = no
flags        = one-way
check        = snmp
note         = "SNMP traps from network devices"

# ---------------------------------------------------------------------------------------
# ITMS Admin App (iPad)
# ---------------------------------------------------------------------------------------

[rule]
id           = ipad-tablet
suite        = "ITMS Admin App (iPad)"
component    = "Tablet service"
protos       = tcp
ports        = 80;443
client       = console
server       = notification-server
configurable = "not stated by the table"
check        = http
note         = "iPad app to the NS for management and status"

# ---------------------------------------------------------------------------------------
# Mobile Device Management
# ---------------------------------------------------------------------------------------

# Three conversations share 443: MDM server and NS both ways, macOS endpoints (ULM agents)
# to the MDM server, and the MDM server to Apple's push service (APNS).
[rule]
id           = mdm
suite        = "Mobile Device Management"
component    = "MDM server"
protos       = tcp
ports        = 443
client       = mdm-server;notification-server;ulm-agent
server       = mdm-server;notification-server;vendor-site
configurable = no
check        = tls
note         = "MDM server, NS, macOS endpoints and Apple APNS"

# ---------------------------------------------------------------------------------------
# Monitor Solution
# ---------------------------------------------------------------------------------------

# The Metric Provider runs on the monitored server; consoles and the NS connect to it.
[rule]
id           = mon-metric
suite        = "Monitor Solution"
component    = "Metric Provider / Real-Time Performance Viewer"
protos       = tcp
ports        = 1011
client       = console;notification-server
server       = agent;ulm-agent
services     = MetricProvider;altirisSM
configurable = "Symantec Management Console"
note         = "real-time performance data from monitored servers"

# "Random" ports: nothing to match by port, only the roles of both ends.
[rule]
id           = mon-ppa-udp
suite        = "Monitor Solution"
component    = "Agentless SNMP metrics (PPA dynamic)"
protos       = udp
ports        = -
client       = monitor-server
server       = any
services     = MetricProvider;altirisSM
configurable = no
flags        = dynamic
note         = "dynamic ports opened by PPA for SNMP metrics"

[rule]
id           = mon-ppa-tcp
suite        = "Monitor Solution"
component    = "Agentless monitoring (PPA dynamic)"
protos       = tcp
ports        = -
client       = monitor-server
server       = any
services     = MetricProvider;altirisSM
configurable = no
flags        = dynamic
note         = "dynamic ports opened by PPA for agentless monitoring"

# ---------------------------------------------------------------------------------------
# Pluggable Protocol Architecture
# ---------------------------------------------------------------------------------------
# PPA is loaded by MetricProvider (monitor servers), AtrsHost (Task Servers) and services
# on the NS: the PPA host is any of those three roles.

[rule]
id           = ppa-amt-http
suite        = "Pluggable Protocol Architecture"
component    = "Intel AMT SOAP/HTTP"
protos       = tcp;udp
ports        = 16992
client       = monitor-server;task-server;notification-server
server       = managed-device
services     = MetricProvider;AtrsHost;AMTRedirectionService
configurable = no
check        = http
note         = "Intel AMT SOAP over HTTP; the http check applies to TCP"

[rule]
id           = ppa-amt-https
suite        = "Pluggable Protocol Architecture"
component    = "Intel AMT SOAP/HTTPS"
protos       = tcp;udp
ports        = 16993
client       = monitor-server;task-server;notification-server
server       = managed-device
services     = MetricProvider;AtrsHost;AMTRedirectionService
configurable = no
check        = tls
note         = "Intel AMT SOAP over HTTPS"

[rule]
id           = ppa-amt-redir
suite        = "Pluggable Protocol Architecture"
component    = "Intel AMT redirection"
protos       = tcp;udp
ports        = 16994
client       = monitor-server;task-server;notification-server
server       = managed-device
services     = MetricProvider;AtrsHost;AMTRedirectionService
configurable = no
note         = "Intel AMT redirection (SOL, IDE-R)"

[rule]
id           = ppa-amt-redir-tls
suite        = "Pluggable Protocol Architecture"
component    = "Intel AMT redirection over TLS"
protos       = tcp;udp
ports        = 16995
client       = monitor-server;task-server;notification-server
server       = managed-device
services     = MetricProvider;AtrsHost;AMTRedirectionService
configurable = no
check        = tls
note         = "Intel AMT redirection over TLS"

[rule]
id           = ppa-asf-rmcp
suite        = "Pluggable Protocol Architecture"
component    = "ASF RMCP"
protos       = udp
ports        = 623
client       = monitor-server;task-server;notification-server
server       = managed-device
services     = MetricProvider;AtrsHost
configurable = no
note         = "ASF Remote Management and Control Protocol"

[rule]
id           = ppa-asf-rsp
suite        = "Pluggable Protocol Architecture"
component    = "ASF RSP (RMCP security)"
protos       = udp
ports        = 664
client       = monitor-server;task-server;notification-server
server       = managed-device
services     = MetricProvider;AtrsHost
configurable = no
note         = "RMCP Security Extensions Protocol"

[rule]
id           = ppa-emc
suite        = "Pluggable Protocol Architecture"
component    = "EMC plug-in"
protos       = tcp
ports        = 443
client       = monitor-server;task-server;notification-server
server       = managed-device
services     = MetricProvider;AtrsHost
configurable = "not stated by the table"
check        = tls
note         = "EMC storage management"

[rule]
id           = ppa-http
suite        = "Pluggable Protocol Architecture"
component    = "HTTP plug-in"
protos       = tcp
ports        = 80
client       = monitor-server;task-server;notification-server
server       = managed-device;network-device
services     = MetricProvider;AtrsHost
configurable = no
check        = http
note         = "HTTP to managed devices"

# 623 is also UDP RMCP (ppa-asf-rmcp); the table lists the IPMI plug-in on TCP.
[rule]
id           = ppa-ipmi
suite        = "Pluggable Protocol Architecture"
component    = "IPMI plug-in"
protos       = tcp
ports        = 623
client       = monitor-server;task-server;notification-server
server       = managed-device
services     = MetricProvider;AtrsHost
configurable = "not stated by the table"
note         = "IPMI to baseboard management controllers"

[rule]
id           = ppa-snmp
suite        = "Pluggable Protocol Architecture"
component    = "SNMP plug-in"
protos       = udp
ports        = 161
client       = monitor-server;task-server;notification-server
server       = network-device;managed-device
services     = MetricProvider;AtrsHost
configurable = no
check        = snmp
note         = "SNMP requests to devices"

[rule]
id           = ppa-snmp-trap
suite        = "Pluggable Protocol Architecture"
component    = "SNMP trap listener plug-in"
protos       = udp
ports        = 162
client       = network-device;managed-device
server       = monitor-server;task-server;notification-server
services     = MetricProvider;AtrsHost
configurable = no
flags        = one-way
check        = snmp
note         = "SNMP traps to the PPA trap listener"

# The table gives no direction: four extra ports that net-snmp opens somewhere in
# 1024-65535 on the PPA host. The article writes 1024-65536; the table 1024-65535.
[rule]
id           = ppa-snmp-trap-extra
suite        = "Pluggable Protocol Architecture"
component    = "SNMP trap listener extra ports (net-snmp)"
protos       = udp
ports        = 1024-65535
client       = any
server       = monitor-server;task-server;notification-server
services     = MetricProvider;AtrsHost
configurable = no
flags        = broad
note         = "four extra ports opened by net-snmp on the PPA host"

# SSH runs over TCP; the table also lists UDP. The ssh check applies to TCP.
[rule]
id           = ppa-ssh
suite        = "Pluggable Protocol Architecture"
component    = "SSH plug-in"
protos       = tcp;udp
ports        = 22
client       = monitor-server;task-server;notification-server
server       = managed-device;network-device;ulm-agent
services     = MetricProvider;AtrsHost
configurable = "not stated by the table"
check        = ssh
note         = "SSH to devices and Unix/Linux hosts"

[rule]
id           = ppa-vmware
suite        = "Pluggable Protocol Architecture"
component    = "VMware plug-in"
protos       = tcp
ports        = 80;443
client       = monitor-server;task-server;notification-server
server       = managed-device
services     = MetricProvider;AtrsHost
configurable = "not stated by the table"
check        = http
paths        = /sdk
note         = "vCenter and ESX web services"

# Agentless Windows hosts may have no agent: either role.
[rule]
id           = ppa-wmi
suite        = "Pluggable Protocol Architecture"
component    = "WMI plug-in"
protos       = tcp
ports        = 135
client       = monitor-server;task-server;notification-server
server       = agent;managed-device
services     = MetricProvider;AtrsHost
configurable = no
note         = "WMI through the RPC endpoint mapper"

# WS-Management over HTTP on 623 and HTTPS on 664 (DASH); the http check expects TLS on
# the second port.
[rule]
id           = ppa-wsman
suite        = "Pluggable Protocol Architecture"
component    = "WS-MAN plug-in"
protos       = tcp
ports        = 623;664
client       = monitor-server;task-server;notification-server
server       = managed-device
services     = MetricProvider;AtrsHost
configurable = "not stated by the table"
check        = http
note         = "WS-Management to devices"

[rule]
id           = ppa-wmi-dyn-old
suite        = "Pluggable Protocol Architecture"
component    = "WMI dynamic ports (legacy range)"
protos       = tcp;udp
ports        = 1025-5000
client       = monitor-server;task-server;notification-server
server       = agent;managed-device
configurable = no
flags        = broad
note         = "dynamic RPC ports of older Windows hosts"

[rule]
id           = ppa-wmi-dyn
suite        = "Pluggable Protocol Architecture"
component    = "WMI dynamic ports"
protos       = tcp;udp
ports        = 49152-65535
client       = monitor-server;task-server;notification-server
server       = agent;managed-device
configurable = no
flags        = broad
note         = "dynamic RPC ports of Windows hosts"

# ---------------------------------------------------------------------------------------
# Symantec Workflow
# ---------------------------------------------------------------------------------------

[rule]
id           = wf-server
suite        = "Symantec Workflow"
component    = "Workflow Server / ProcessManager portal"
protos       = tcp
ports        = 80;443
client       = console;notification-server
server       = workflow-server
services     = SWFSVR
configurable = "not stated by the table"
check        = http
paths        = /ProcessManager/
note         = "ProcessManager portal and Workflow web services"

# Workflow Designer runs on an administrator's workstation.
[rule]
id           = wf-extensions
suite        = "Symantec Workflow"
component    = "Server Extensions (publishing from Workflow Designer)"
protos       = tcp
ports        = 11434
client       = console
server       = workflow-server
configurable = "possible, but the table advises against changing it"
note         = "publishing from Workflow Designer"

[rule]
id           = wf-enterprise
suite        = "Symantec Workflow"
component    = "Enterprise Management / Deployment"
protos       = tcp
ports        = 11436
client       = workflow-server;console
server       = workflow-server
configurable = no
note         = "deployment and registration from Workflow Enterprise Manager"

# ---------------------------------------------------------------------------------------
# Virtual Machine Management
# ---------------------------------------------------------------------------------------

[rule]
id           = vmm-vmware
suite        = "Virtual Machine Management"
component    = "VMware plug-in"
protos       = tcp
ports        = 443
client       = notification-server;task-server
server       = managed-device
configurable = "not stated by the table"
check        = tls
note         = "vCenter and ESX"

[rule]
id           = vmm-hyperv
suite        = "Virtual Machine Management"
component    = "MS Hyper-V plug-in"
protos       = tcp
ports        = 135
client       = notification-server;task-server
server       = managed-device
configurable = no
note         = "Hyper-V hosts through the RPC endpoint mapper"

# ---------------------------------------------------------------------------------------
# Power Control Task
# ---------------------------------------------------------------------------------------

# The table says TCP 50200, but a Wake-on-LAN magic packet is normally a UDP datagram (a
# powered-off NIC cannot complete a TCP handshake). protos keeps the table's TCP;
# protos_extra adds the UDP form, which reports mark as not in the table.
[rule]
id           = wol
suite        = "Power Control Task"
component    = "Wake on LAN"
protos       = tcp
protos_extra = udp
ports        = 50200
client       = notification-server;task-server
server       = agent;ulm-agent
configurable = "not stated by the table"
flags        = one-way
check        = wol
note         = "magic packet to wake the target"
